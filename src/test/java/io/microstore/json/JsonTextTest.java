package io.microstore.json;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/** {@link JsonText}: a string token says exactly the string it was written from, whatever its chars. */
class JsonTextTest {
    private static String quoted(String s) {
        return new String(JsonText.quote(s), StandardCharsets.UTF_8);
    }

    private static String roundTrip(String s) {
        byte[] token = JsonText.quote(s);
        return JsonText.decode(token, 0, token.length);
    }

    @Test
    void quotesBackslashesAndControlCharactersAreEscapedAndTheRestIsUtf8() {
        assertThat(quoted("a\"b\\c\n\u0001é😀"), is("\"a\\\"b\\\\c\\n\\u0001é😀\""));
    }

    /** UTF-8 cannot encode a lone surrogate (getBytes writes "?"): it is escaped, so no two strings share a token. */
    @ParameterizedTest
    @ValueSource(strings = {"\uD800", "\uDBFF", "a\uDC00", "\uDE00\uD83D", "x\uD83D\uD83D\uDE00y", "\uD83D\"\n"})
    void anUnpairedSurrogateIsWrittenAsAnEscapeAndReadBackAsItself(String s) {
        assertThat(roundTrip(s), is(s));
        assertThat(quoted(s).contains("?"), is(false));
    }

    @Test
    void unpairedSurrogatesAreEscapedAndPairsAreUtf8() {
        assertThat(quoted("\uD800"), is("\"\\ud800\""));
        assertThat(quoted("a\uDFFF\uD83D\uDE00\uD83D"), is("\"a\\udfff😀\\ud83d\""));
    }

    @Test
    void anyStringOfCharsRoundTrips() {
        Random random = new Random(28);
        for (int n = 0; n < 2000; n++) {
            char[] chars = new char[random.nextInt(8)];
            for (int i = 0; i < chars.length; i++) {
                chars[i] = random.nextInt(3) == 0
                        ? (char) (0xD800 + random.nextInt(0x800))
                        : (char) random.nextInt(0x10000);
            }
            String s = new String(chars);
            assertThat(roundTrip(s), is(s));
        }
    }
}
