package io.microstore.store.query;

import java.nio.charset.StandardCharsets;

import io.microstore.json.CompactJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SelectorTest {
    private static boolean matches(String where, String data) {
        return Selector.parse(where.getBytes(StandardCharsets.UTF_8))
                .matches(CompactJson.compact(data.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aPlainValueIsEqualityAndSeveralKeysMeanAll() {
        assertTrue(matches("{\"/status\": \"open\"}", "{\"status\": \"open\"}"));
        assertFalse(matches("{\"/status\": \"open\"}", "{\"status\": \"closed\"}"));
        assertTrue(matches("{\"/a\": 1, \"/b\": 2}", "{\"a\": 1, \"b\": 2}"));
        assertFalse(matches("{\"/a\": 1, \"/b\": 2}", "{\"a\": 1, \"b\": 3}"));
        assertTrue(matches("{}", "{\"a\": 1}"));
        assertTrue(Selector.all().matches("5".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void typesMustMatch() {
        assertFalse(matches("{\"/n\": {\"$gt\": 5}}", "{\"n\": \"6\"}"));
        assertTrue(matches("{\"/n\": {\"$gt\": 5}}", "{\"n\": 6}"));
        assertFalse(matches("{\"/b\": true}", "{\"b\": \"true\"}"));
        assertFalse(matches("{\"/p\": \"0666\"}", "{\"p\": 666}"));
        assertTrue(matches("{\"/p\": \"0666\"}", "{\"p\": \"0666\"}"));
        assertFalse(matches("{\"/p\": {\"$lt\": \"1\"}}", "{\"p\": 0}"));
        assertFalse(matches("{\"/x\": null}", "{\"x\": false}"));
        assertTrue(matches("{\"/x\": {\"$gt\": false}}", "{\"x\": true}"));
    }

    @Test
    void numbersCompareAsExactDecimals() {
        for (String one : new String[] {"1", "1.0", "1e0", "10e-1", "0.1E1", "1.000e+0"}) {
            assertTrue(matches("{\"/n\": 1}", "{\"n\": " + one + "}"), one);
            assertTrue(matches("{\"/n\": " + one + "}", "{\"n\": 1}"), one);
        }
        assertTrue(matches("{\"/n\": 0}", "{\"n\": -0}"));
        assertTrue(matches("{\"/n\": -0.0}", "{\"n\": 0e5}"));
        assertFalse(matches("{\"/n\": 9007199254740992}", "{\"n\": 9007199254740993}"));
        assertTrue(matches("{\"/n\": {\"$gt\": 9007199254740992}}", "{\"n\": 9007199254740993}"));
        assertTrue(matches("{\"/n\": {\"$gt\": 1e999999999}}", "{\"n\": 1e1000000000}"));
        assertTrue(matches("{\"/n\": {\"$lt\": 1e-999999999}}", "{\"n\": 1e-1000000000}"));
        assertTrue(matches("{\"/n\": {\"$gt\": -1}}", "{\"n\": -1e-99999999999999999999}"));
        assertTrue(matches("{\"/n\": {\"$lt\": 0.12}}", "{\"n\": 0.119999}"));
        assertTrue(matches("{\"/n\": {\"$lt\": -2}}", "{\"n\": -10}"));
        assertTrue(matches("{\"/n\": {\"$gte\": 100, \"$lte\": 100}}", "{\"n\": 1e2}"));
    }

    @Test
    void stringsCompareByCodePointAndEscapesAreDecoded() {
        // U+FFFF < U+1F600 by code point; UTF-16 puts the emoji's surrogate (D83D) first
        assertTrue(matches("{\"/s\": {\"$lt\": \"\uD83D\uDE00\"}}", "{\"s\": \"\uFFFF\"}"));
        assertTrue(matches("{\"/s\": {\"$gt\": \"\uFFFF\"}}", "{\"s\": \"\uD83D\uDE00\"}"));
        assertTrue(matches("{\"/s\": \"é\"}", "{\"s\": \"\\u00e9\"}"));
        assertTrue(matches("{\"/s\": \"\\u00e9\"}", "{\"s\": \"é\"}"));
        assertTrue(matches("{\"/s\": {\"$prefix\": \"é\"}}", "{\"s\": \"\\u00e9t\\u00e9\"}"));
        // NFC (U+00E9) and NFD (e + U+0301) stay different strings
        assertFalse(matches("{\"/s\": \"\u00e9\"}", "{\"s\": \"e\u0301\"}"));
        assertTrue(matches("{\"/s\": {\"$prefix\": \"ab\"}}", "{\"s\": \"abc\"}"));
        assertFalse(matches("{\"/s\": {\"$prefix\": \"ab\"}}", "{\"s\": \"a\"}"));
        assertFalse(matches("{\"/s\": {\"$prefix\": \"1\"}}", "{\"s\": 12}"));
        assertTrue(matches("{\"/s\": {\"$prefix\": \"\"}}", "{\"s\": \"\"}"));
    }

    @Test
    void anEscapeIsNeverTakenForTheCharactersThatSpellIt() {
        // stored "a\n" is a newline; the selector's "a\\n" is the three characters a, backslash, n
        assertFalse(matches("{\"/s\": \"a\\\\n\"}", "{\"s\": \"a\\n\"}"));
        assertTrue(matches("{\"/s\": \"a\\n\"}", "{\"s\": \"a\\n\"}"));
        assertTrue(matches("{\"/s\": \"a\\\\n\"}", "{\"s\": \"a\\\\n\"}"));
        assertFalse(matches("{\"/s\": {\"$prefix\": \"a\\\\\"}}", "{\"s\": \"a\\nb\"}"));
        assertTrue(matches("{\"/s\": {\"$prefix\": \"a\\\\\"}}", "{\"s\": \"a\\\\b\"}"));
        assertFalse(matches("{\"/a\\\\n\": 1}", "{\"a\\n\": 1}"));
        assertTrue(matches("{\"/a\\\\n\": 1}", "{\"a\\\\n\": 1}"));
        assertTrue(matches("{\"/a\\\"\": 1}", "{\"a\\\"\": 1}"));
    }

    @Test
    void pointersReachEveryMemberName() {
        assertTrue(matches("{\"/a~1b\": 1}", "{\"a/b\": 1}"));
        assertTrue(matches("{\"/a~0b\": 1}", "{\"a~b\": 1}"));
        assertTrue(matches("{\"/\": 1}", "{\"\": 1}"));
        assertTrue(matches("{\"//\": 1}", "{\"\": {\"\": 1}}"));
        assertTrue(matches("{\"/$x\": 1}", "{\"$x\": 1}"));
        assertFalse(matches("{\"/a.b\": 1}", "{\"a\": {\"b\": 1}}"));
        assertTrue(matches("{\"/d\\u0061ta\": 1}", "{\"data\": 1}"));
        assertTrue(matches("{\"/data\": 1}", "{\"d\\u0061ta\": 1}"));
    }

    @Test
    void aRepeatedStoredMemberNameTheLastOneWins() {
        assertTrue(matches("{\"/a\": 2}", "{\"a\": 1, \"a\": 2}"));
        assertFalse(matches("{\"/a\": 1}", "{\"a\": 1, \"a\": 2}"));
        assertTrue(matches("{\"/o\": {\"$eq\": {\"a\": 2}}}", "{\"o\": {\"a\": 1, \"a\": 2}}"));
    }

    @Test
    void arrayIndicesInPointers() {
        assertTrue(matches("{\"/tags/0\": \"x\"}", "{\"tags\": [\"x\", \"y\"]}"));
        assertTrue(matches("{\"/tags/1\": \"y\"}", "{\"tags\": [\"x\", \"y\"]}"));
        assertFalse(matches("{\"/tags/2\": {\"$exists\": true}}", "{\"tags\": [\"x\", \"y\"]}"));
        assertFalse(matches("{\"/tags/-\": {\"$exists\": true}}", "{\"tags\": [\"x\"]}"));
        assertFalse(matches("{\"/tags/01\": {\"$exists\": true}}", "{\"tags\": [\"x\", \"y\"]}"));
        assertFalse(matches("{\"/tags/0\": {\"$exists\": true}}", "{\"tags\": []}"));
        assertTrue(matches("{\"/o/0\": 1}", "{\"o\": {\"0\": 1}}"));
        assertTrue(matches("{\"/a/0/b\": 1}", "{\"a\": [{\"b\": 1}]}"));
    }

    @Test
    void missingIsNotNull() {
        assertFalse(matches("{\"/x\": null}", "{}"));
        assertTrue(matches("{\"/x\": null}", "{\"x\": null}"));
        assertTrue(matches("{\"/x\": {\"$exists\": true}}", "{\"x\": null}"));
        assertFalse(matches("{\"/x\": {\"$exists\": false}}", "{\"x\": null}"));
        assertTrue(matches("{\"/x\": {\"$exists\": false}}", "{}"));
        assertFalse(matches("{\"/x\": {\"$type\": \"null\"}}", "{}"));
        assertFalse(matches("{\"/x\": {\"$lte\": null}}", "{}"));
        // $ne and $nin are the negations: they match a missing path
        assertTrue(matches("{\"/x\": {\"$ne\": 1}}", "{}"));
        assertTrue(matches("{\"/x\": {\"$nin\": [1]}}", "{}"));
        assertFalse(matches("{\"/x\": {\"$ne\": null}}", "{\"x\": null}"));
        assertFalse(matches("{\"/x\": {\"$in\": [null]}}", "{}"));
    }

    @Test
    void aPathThroughAScalarOrAnArrayIsMissing() {
        assertFalse(matches("{\"/s/x\": {\"$exists\": true}}", "{\"s\": \"abc\"}"));
        assertFalse(matches("{\"/s/0\": \"a\"}", "{\"s\": \"abc\"}"));
        assertFalse(matches("{\"/a/x\": 1}", "{\"a\": [{\"x\": 1}]}"));
        assertTrue(matches("{\"/a/x\": {\"$ne\": 1}}", "{\"a\": 5}"));
        assertFalse(matches("{\"/n/x\": null}", "{\"n\": null}"));
    }

    @Test
    void arraysAndObjectsCompareDeeplyMemberOrderIgnored() {
        assertTrue(matches(
                "{\"/o\": {\"a\": 1, \"b\": [1, {\"c\": 2, \"d\": 3}]}}",
                "{\"o\": {\"b\": [1.0, {\"d\": 3, \"c\": 2}], \"a\": 1}}"));
        assertFalse(matches("{\"/o\": {\"a\": 1}}", "{\"o\": {\"a\": 1, \"b\": 2}}"));
        assertFalse(matches("{\"/a\": [1, 2]}", "{\"a\": [2, 1]}"));
        assertTrue(matches("{\"/a\": []}", "{\"a\": []}"));
        assertFalse(matches("{\"/a\": []}", "{\"a\": {}}"));
        assertTrue(matches("{\"/a\": {}}", "{\"a\": {}}"));
        assertTrue(matches("{\"/a\": {\"$in\": [[1], {\"x\": 1}]}}", "{\"a\": {\"x\": 1.0}}"));
        assertTrue(matches("{\"/a\": {\"$eq\": {\"$x\": 1}}}", "{\"a\": {\"$x\": 1}}"));
    }

    @Test
    void arrayOperators() {
        String doc = "{\"tags\": [\"a\", \"b\", 3], \"e\": [], \"s\": \"abc\"}";
        assertTrue(matches("{\"/tags\": {\"$contains\": \"b\"}}", doc));
        assertTrue(matches("{\"/tags\": {\"$contains\": 3.0}}", doc));
        assertFalse(matches("{\"/tags\": {\"$contains\": \"3\"}}", doc));
        assertFalse(matches("{\"/e\": {\"$contains\": null}}", doc));
        assertFalse(matches("{\"/s\": {\"$contains\": \"a\"}}", doc));
        assertTrue(matches("{\"/tags\": {\"$all\": [\"b\", \"a\"]}}", doc));
        assertFalse(matches("{\"/tags\": {\"$all\": [\"b\", \"c\"]}}", doc));
        assertTrue(matches("{\"/tags\": {\"$size\": 3}}", doc));
        assertTrue(matches("{\"/e\": {\"$size\": 0}}", doc));
        assertFalse(matches("{\"/s\": {\"$size\": 3}}", doc));
        assertTrue(matches("{\"/tags\": {\"$size\": 3.0}}", doc));
        assertFalse(matches("{\"/tags\": {\"$size\": 1e10}}", doc));
    }

    @Test
    void elemMatchTakesASelectorRelativeToTheElement() {
        String doc = "{\"tags\": [{\"k\": \"a\", \"v\": 1}, {\"k\": \"b\", \"v\": 2}], \"n\": [1, 7]}";
        assertTrue(matches("{\"/tags\": {\"$elemMatch\": {\"/k\": \"a\", \"/v\": 1}}}", doc));
        assertFalse(matches("{\"/tags\": {\"$elemMatch\": {\"/k\": \"a\", \"/v\": 2}}}", doc));
        assertTrue(matches("{\"/n\": {\"$elemMatch\": {\"$gt\": 5}}}", doc));
        assertFalse(matches("{\"/n\": {\"$elemMatch\": {\"$gt\": 7}}}", doc));
        assertTrue(matches("{\"/n\": {\"$elemMatch\": {}}}", doc));
        assertFalse(matches("{\"/n\": {\"$elemMatch\": {}}}", "{\"n\": []}"));
        assertTrue(matches("{\"$elemMatch\": {\"$eq\": 1}}", "[0, 1]"));
    }

    @Test
    void logicalOperators() {
        String doc = "{\"a\": 1, \"b\": 2}";
        assertTrue(matches("{\"$or\": [{\"/a\": 2}, {\"/b\": 2}]}", doc));
        assertFalse(matches("{\"$or\": [{\"/a\": 2}, {\"/b\": 3}]}", doc));
        assertTrue(matches("{\"$and\": [{\"/a\": 1}, {\"/b\": 2}]}", doc));
        assertFalse(matches("{\"$and\": [{\"/a\": 1}, {\"/b\": 3}]}", doc));
        assertFalse(matches("{\"$not\": {\"/a\": 1}}", doc));
        assertTrue(matches("{\"$not\": {\"/a\": 2}}", doc));
        assertTrue(matches("{\"/a\": {\"$not\": {\"$gt\": 5}}}", doc));
        assertTrue(matches("{\"/x\": {\"$not\": {\"$gt\": 5}}}", doc));
        assertTrue(matches("{\"/a\": {\"$or\": [{\"$lt\": 0}, {\"$gt\": 0}]}}", doc));
        assertTrue(matches("{\"/a\": {\"$type\": \"number\"}, \"/b\": {\"$in\": [3, 2]}}", doc));
    }

    @Test
    void types() {
        String doc = "{\"n\": null, \"f\": false, \"t\": true, \"x\": -1.5, \"s\": \"\", \"a\": [], \"o\": {}}";
        String[][] cases = {
            {"n", "null"},
            {"f", "boolean"},
            {"t", "boolean"},
            {"x", "number"},
            {"s", "string"},
            {"a", "array"},
            {"o", "object"}
        };
        for (String[] c : cases) {
            for (String type : new String[] {"null", "boolean", "number", "string", "array", "object"}) {
                assertEquals(
                        type.equals(c[1]),
                        matches("{\"/" + c[0] + "\": {\"$type\": \"" + type + "\"}}", doc),
                        c[0] + " " + type);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "[]",
                "\"x\"",
                "{",
                "{\"status\": 1}",
                "{\"/a\": {\"$regex\": \"x\"}}",
                "{\"$where\": \"1\"}",
                "{\"/a~2\": 1}",
                "{\"/a~\": 1}",
                "{\"$or\": []}",
                "{\"$and\": []}",
                "{\"$or\": {}}",
                "{\"$or\": [1]}",
                "{\"/a\": {\"$in\": 1}}",
                "{\"/a\": {\"$nin\": {}}}",
                "{\"/a\": {\"$exists\": 1}}",
                "{\"/a\": {\"$exists\": \"true\"}}",
                "{\"/a\": {\"$size\": -1}}",
                "{\"/a\": {\"$size\": 1.5}}",
                "{\"/a\": {\"$size\": \"1\"}}",
                "{\"/a\": {\"$type\": \"integer\"}}",
                "{\"/a\": {\"$type\": 1}}",
                "{\"/a\": {\"$prefix\": 1}}",
                "{\"/a\": {\"$all\": 1}}",
                "{\"/a\": {\"$all\": []}}",
                "{\"/a\": {\"$elemMatch\": 1}}",
                "{\"/a\": {\"$not\": 1}}",
                "{\"/a\": {\"$gt\": 1, \"b\": 2}}",
                "{\"/a\": 1, \"/a\": 2}",
                "{\"$or\": [{\"/a\": {\"$bogus\": 1}}]}"
            })
    void everyMistakeIsABadQuery(String where) {
        assertThrows(BadQuery.class, () -> Selector.parse(where.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void invalidJsonOrUtf8IsABadQueryNotAJsonRefusal() {
        assertThrows(BadQuery.class, () -> Selector.parse(new byte[] {'{', '"', '/', (byte) 0xC3, '"', ':', '1', '}'}));
        assertThrows(BadQuery.class, () -> Selector.parse(new byte[0]));
        assertThrows(BadQuery.class, () -> Selector.parse("{\"/a\": 1} x".getBytes(StandardCharsets.UTF_8)));
    }

    private static String refusal(String where) {
        return assertThrows(BadQuery.class, () -> Selector.parse(where.getBytes(StandardCharsets.UTF_8)))
                .getMessage();
    }

    @Test
    void badQueriesNameTheOffendingPart() {
        String bogus = refusal("{\"$or\": [{\"/a\": {\"$bogus\": 1}}]}");
        assertTrue(bogus.contains("$bogus") && bogus.contains("$or[0] /a"), bogus);
        String in = refusal("{\"/a\": {\"$in\": 1}}");
        assertTrue(in.contains("/a $in"), in);
        String key = refusal("{\"x\": 1}");
        assertTrue(key.contains("\"x\""), key);
    }

    @Test
    void limits() {
        StringBuilder values = new StringBuilder("[0");
        for (int i = 1; i < 256; i++) {
            values.append(',').append(i);
        }
        assertTrue(matches("{\"/a\": {\"$in\": " + values + "]}}", "{\"a\": 255}"));
        assertTrue(refusal("{\"/a\": {\"$in\": " + values + ",256]}}").contains("256"));
        refusal("{\"/a\": {\"$nin\": " + values + ",256]}}");
        refusal("{\"/a\": {\"$all\": " + values + ",256]}}");
        String deep16 = "{\"$not\":".repeat(15) + "{}" + "}".repeat(15);
        assertFalse(matches(deep16, "1"));
        String deep17 = "{\"$not\":".repeat(16) + "{}" + "}".repeat(16);
        assertTrue(refusal(deep17).contains("16"));
        String big = "{\"/a\": \"" + "x".repeat(8 * 1024) + "\"}";
        assertTrue(refusal(big).contains("8192"));
    }

    @Test
    void canonicalIsTheSameForTheSameSelector() {
        String a = "{\"/a\": 1, \"/b\": {\"$in\": [\"x\", 2.0]}}";
        String b = "{ \"/b\" : {\"$in\": [\"x\", 2]}, \"/a\": 1e0 }";
        assertEquals(canonical(a), canonical(a));
        assertEquals(canonical(a), canonical(b));
        assertNotEquals(canonical("{\"/a\": 1}"), canonical("{\"/a\": \"1\"}"));
        assertEquals(Selector.all().canonical(), canonical("{}"));
    }

    private static String canonical(String where) {
        return Selector.parse(where.getBytes(StandardCharsets.UTF_8)).canonical();
    }
}
