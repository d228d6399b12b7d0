package io.microstore.store;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.sameInstance;
import static org.junit.jupiter.api.Assertions.assertThrows;

class NamesTest {

    @ParameterizedTest
    @ValueSource(strings = {"a", "team/svc/config", "with space", "é", "日本", "😀", "/", "a%2Fb", "\u00a0", "\uFFFD"})
    void ordinaryNamesAreAccepted(String name) {
        assertThat(Names.check(name), sameInstance(name));
    }

    @Test
    void nameOf1024BytesIsAcceptedAnd1025Refused() {
        assertThat(Names.check("a".repeat(1024)).length(), is(1024));
        InvalidName e = assertThrows(InvalidName.class, () -> Names.check("a".repeat(1025)));
        assertThat(e.getMessage(), containsString("1025"));
    }

    @Test
    void lengthIsCountedInUtf8BytesNotChars() {
        // 2-, 3- and 4-byte characters right at the limit and one byte over it
        assertAcceptedAtLimit("é");
        assertAcceptedAtLimit("日");
        assertAcceptedAtLimit("😀");
        assertAcceptedAtLimit("\uFFFD");
        // 513 chars, but 1026 bytes
        assertThrows(InvalidName.class, () -> Names.check("é".repeat(513)));
        // 342 emoji are 684 chars but 1368 bytes
        assertThrows(InvalidName.class, () -> Names.check("😀".repeat(342)));
        assertThat(Names.check("😀".repeat(256)).length(), is(512));
    }

    private static void assertAcceptedAtLimit(String ch) {
        int size = ch.getBytes(StandardCharsets.UTF_8).length;
        String atLimit = ch + "a".repeat(Names.MAX_BYTES - size);
        assertThat(atLimit.getBytes(StandardCharsets.UTF_8).length, is(Names.MAX_BYTES));
        assertThat(Names.check(atLimit), sameInstance(atLimit));
        assertThrows(InvalidName.class, () -> Names.check(atLimit + "a"), ch + " + 1024 bytes");
    }

    @Test
    void emptyAndNullNamesAreRefused() {
        assertThrows(InvalidName.class, () -> Names.check(""));
        assertThrows(InvalidName.class, () -> Names.check(null));
    }

    @ParameterizedTest
    @ValueSource(strings = {"\u0000", "a\u0001", "\n", "a\tb", "x\r", "\u001f", "\u007f", "\u0085", "\u009f"})
    void controlCharactersAreRefused(String name) {
        InvalidName e = assertThrows(InvalidName.class, () -> Names.check(name));
        assertThat(e.getMessage(), containsString("control character"));
    }

    /** Names are I-JSON text (RFC 7493): UTF-8 cannot encode a lone surrogate, it would become "?". */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "\uD800",
                "\uDBFF",
                "\uDC00",
                "\uDFFF",
                "a\uD83D",
                "\uDE00b",
                "\uDE00\uD83D",
                "x\uD83D\uD83D\uDE00"
            })
    void unpairedSurrogatesAreRefused(String name) {
        InvalidName e = assertThrows(InvalidName.class, () -> Names.check(name));
        assertThat(e.getMessage(), containsString("unpaired UTF-16 surrogate"));
    }

    @Test
    void surrogatePairsAreOneCharacterOfFourBytes() {
        String pairs = "\uD83D\uDE00\uDBFF\uDFFF\uD800\uDC00";
        assertThat(Names.check(pairs), sameInstance(pairs));
        assertAcceptedAtLimit("\uDBFF\uDFFF");
    }

    @Test
    void orderIsCodePointOrderNotUtf16Order() {
        String replacement = "x\uFFFD";
        String emoji = "x😀"; // U+1F600, stored as the surrogates D83D DE00
        assertThat(replacement.compareTo(emoji), greaterThan(0)); // String.compareTo gets it wrong
        assertThat(Names.ORDER.compare(replacement, emoji), lessThan(0));
        assertThat(Names.ORDER.compare(emoji, replacement), greaterThan(0));
        assertThat(Names.ORDER.compare("\uE000", "😀"), lessThan(0));
        assertThat(Names.ORDER.compare("\uD7FF", "😀"), lessThan(0));
        assertThat(Names.ORDER.compare("😀", "😁"), lessThan(0));
        assertThat(Names.ORDER.compare("\uFFFF", "\uD800\uDC00"), lessThan(0)); // U+FFFF < U+10000
    }

    @Test
    void orderPutsPrefixesFirstAndIsConsistentWithEquals() {
        assertThat(Names.ORDER.compare("a", "a"), is(0));
        assertThat(Names.ORDER.compare("a", "ab"), lessThan(0));
        assertThat(Names.ORDER.compare("ab", "a"), greaterThan(0));
        assertThat(Names.ORDER.compare("", "a"), lessThan(0));
        assertThat(Names.ORDER.compare("B", "a"), lessThan(0));
        assertThat(Names.ORDER.compare("a/b", "a b"), greaterThan(0));
    }

    @Test
    void sortedListIsTheUtf8ByteOrder() {
        List<String> names = new ArrayList<>(List.of(
                "b", "a", "😀", "\uFFFD", "é", "日本", "a/b", "a b", "ab", "Z", "\uE000", "\uD7FF", "𝄞", "a😀",
                "a\uFFFD", "~"));
        Random random = new Random(42);
        for (int i = 0; i < 200; i++) {
            int[] cps = random.ints(1 + random.nextInt(4), 0x20, 0x10FFFF)
                    .filter(cp -> cp < 0xD800 || cp > 0xDFFF)
                    .toArray();
            names.add(new String(cps, 0, cps.length));
        }
        List<String> byOrder = new ArrayList<>(names);
        byOrder.sort(Names.ORDER);
        List<String> byBytes = new ArrayList<>(names);
        byBytes.sort((x, y) ->
                Arrays.compareUnsigned(x.getBytes(StandardCharsets.UTF_8), y.getBytes(StandardCharsets.UTF_8)));
        assertThat(byOrder, is(byBytes));
        List<String> fixed = new ArrayList<>(List.of("😀", "\uFFFD", "a", "é"));
        fixed.sort(Names.ORDER);
        assertThat(fixed, contains("a", "é", "\uFFFD", "😀"));
    }
}
