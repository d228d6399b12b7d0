package io.microstore.api.wire;

import java.util.List;

import io.helidon.http.BadRequestException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link EntityTags#parse}: the RFC 9110 list of entity-tags (section 8.8.3) of a condition header or member. */
class EntityTagsTest {
    private static List<String> parse(String... values) {
        return EntityTags.parse("If-Match", List.of(values), false);
    }

    @Test
    void commasInsideQuotesArePartOfTheTag() {
        assertThat(parse("\"a,b\""), is(List.of("\"a,b\"")));
        assertThat(parse("\"a,b\", W/\",\",\"17\""), is(List.of("\"a,b\"", "W/\",\"", "\"17\"")));
        assertThat(
                EntityTags.parse("If-None-Match", List.of("W/\"x,y\" ,\"1\""), true), is(List.of("\"x,y\"", "\"1\"")));
    }

    @Test
    void emptyElementsOptionalWhitespaceAndSeveralLinesMakeOneList() {
        assertThat(parse(" , \"1\" ,, \t\"2\",", "*", "\"3\""), is(List.of("\"1\"", "\"2\"", "*", "\"3\"")));
        assertThat(parse("\"\""), is(List.of("\"\"")));
        assertThat(parse("\"!#~\u0080\u00ff\""), is(List.of("\"!#~\u0080\u00ff\"")));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                " , ",
                "garbage",
                "17",
                "\"17",
                "17\"",
                "W/17",
                "w/\"17\"",
                "W/",
                "W/ \"1\"",
                "\"a\"b\"",
                "\"1\" \"2\"",
                "*garbage",
                "**",
                "'1'",
                "\"a b\"",
                "\"a\tb\"",
                "\"1\",\"2",
                "\"1\"\"2\"",
                "\"1\" ,x",
                "\"\u0100\"",
                "\"a,b",
                "\"a\u0001\""
            })
    void anythingElseIs400(String value) {
        assertThrows(BadRequestException.class, () -> parse(value));
    }
}
