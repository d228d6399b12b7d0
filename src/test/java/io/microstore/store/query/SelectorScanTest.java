package io.microstore.store.query;

import java.nio.charset.StandardCharsets;

import io.microstore.json.CompactJson;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The scan's shortcuts keep the contract: a member found is the last of its name even when the rest of the object
 * is tested for a repeat eight bytes at a time (a repeat at every offset, escaped, in a nested object, or only in
 * a string); integers and unescaped strings compared in place agree with the exact comparison; a short {@code $in}
 * tested value by value means what the set does.
 */
class SelectorScanTest {
    private static boolean matches(String where, String data) {
        return Selector.parse(where.getBytes(StandardCharsets.UTF_8))
                .matches(CompactJson.compact(data.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aRepeatedNameIsFoundWhereverItsBytesFallInAWord() {
        for (int pad = 0; pad <= 24; pad++) {
            String p = "x".repeat(pad);
            String plain = "{\"a\":1,\"p\":\"" + p + "\",\"a\":2}";
            assertTrue(matches("{\"/a\": 2}", plain), plain);
            assertFalse(matches("{\"/a\": 1}", plain), plain);
            String escaped = "{\"a\":1,\"p\":\"" + p + "\",\"\\u0061\":2}";
            assertTrue(matches("{\"/a\": 2}", escaped), escaped);
            assertFalse(matches("{\"/a\": 1}", escaped), escaped);
            String empty = "{\"\":1,\"p\":\"" + p + "\",\"\":2}";
            assertTrue(matches("{\"/\": 2}", empty), empty);
            assertFalse(matches("{\"/\": 1}", empty), empty);
            String longName = "{\"status\":\"a\",\"p\":\"" + p + "\",\"status\":\"b\"}";
            assertTrue(matches("{\"/status\": \"b\"}", longName), longName);
            assertFalse(matches("{\"/status\": \"a\"}", longName), longName);
        }
    }

    @Test
    void onlyARepeatInTheSameObjectCounts() {
        assertTrue(matches("{\"/a\": 1}", "{\"a\":1,\"o\":{\"a\":2}}"));
        assertTrue(matches("{\"/a\": 1}", "{\"a\":1,\"l\":[{\"a\":2},\"a\"]}"));
        assertTrue(matches("{\"/a\": 1}", "{\"a\":1,\"s\":\"x\\\"a\\\":2\"}"));
        assertTrue(matches("{\"/a\": 1}", "{\"a\":1,\"s\":\"\\\\\",\"ab\":2}"));
        assertTrue(matches("{\"/o/a\": 1}", "{\"o\":{\"a\":1},\"p\":\"pad\",\"a\":5}"));
        assertTrue(matches("{\"/o/a\": 2}", "{\"o\":{\"a\":1,\"x\":\"padding\",\"a\":2},\"a\":3}"));
        assertTrue(matches("{\"/l/0/a\": 2}", "{\"l\":[{\"a\":1,\"b\":\"padding\",\"a\":2},{\"a\":3}]}"));
        assertTrue(matches("{\"/a/b\": 3}", "{\"a\":{\"b\":1},\"c\":true,\"a\":{\"b\":3}}"));
    }

    @Test
    void integersComparedInPlaceAgreeWithExactDecimals() {
        assertTrue(matches("{\"/n\": 123456789012345678}", "{\"n\": 123456789012345678}"));
        assertFalse(matches("{\"/n\": 123456789012345678}", "{\"n\": 123456789012345679}"));
        assertTrue(matches("{\"/n\": 1234567890123456789}", "{\"n\": 1234567890123456789}"));
        assertFalse(matches("{\"/n\": 1234567890123456789}", "{\"n\": 1234567890123456788}"));
        assertTrue(matches("{\"/n\": 7}", "{\"n\": 7.0}"));
        assertTrue(matches("{\"/n\": 7.0}", "{\"n\": 7}"));
        assertTrue(matches("{\"/n\": 700}", "{\"n\": 7e2}"));
        assertTrue(matches("{\"/n\": -0}", "{\"n\": 0}"));
        assertTrue(matches("{\"/n\": 0}", "{\"n\": -0}"));
        assertFalse(matches("{\"/n\": 7}", "{\"n\": 7.5}"));
        assertFalse(matches("{\"/n\": 7}", "{\"n\": -7}"));
        assertTrue(matches("{\"/n\": {\"$lt\": 1e20}}", "{\"n\": 5}"));
        assertTrue(matches("{\"/n\": {\"$gt\": -1e20}}", "{\"n\": -5}"));
        assertTrue(matches("{\"/n\": {\"$lt\": -4}}", "{\"n\": -5}"));
        assertTrue(matches("{\"/n\": {\"$gt\": 9.5}}", "{\"n\": 10}"));
        assertFalse(matches("{\"/n\": {\"$gt\": 10}}", "{\"n\": 10.0}"));
        assertTrue(matches("{\"/n\": {\"$gte\": 10}}", "{\"n\": 1e1}"));
        assertTrue(matches("{\"/n\": {\"$gt\": 999999999999999999}}", "{\"n\": 1000000000000000000}"));
        assertFalse(matches("{\"/n\": {\"$gt\": 1}}", "{\"n\": \"2\"}"));
    }

    @Test
    void stringsComparedInPlaceFollowCodePoints() {
        assertTrue(matches("{\"/s\": {\"$gt\": \"a\"}}", "{\"s\": \"b\"}"));
        assertTrue(matches("{\"/s\": {\"$gt\": \"a\"}}", "{\"s\": \"ab\"}"));
        assertFalse(matches("{\"/s\": {\"$gt\": \"ab\"}}", "{\"s\": \"a\"}"));
        assertFalse(matches("{\"/s\": {\"$gt\": \"a\"}}", "{\"s\": \"a\"}"));
        assertTrue(matches("{\"/s\": {\"$gte\": \"a\"}}", "{\"s\": \"a\"}"));
        assertTrue(matches("{\"/s\": {\"$gt\": \"\\uFFFF\"}}", "{\"s\": \"\uD83D\uDE00\"}"));
        assertTrue(matches("{\"/s\": {\"$gt\": \"\\uFFFF\"}}", "{\"s\": \"\\ud83d\\ude00\"}"));
        assertTrue(matches("{\"/s\": {\"$gt\": \"e\"}}", "{\"s\": \"\\u00e9\"}"));
        assertTrue(matches("{\"/s\": {\"$lt\": \"\\\"\"}}", "{\"s\": \"!\"}"));
        assertFalse(matches("{\"/s\": {\"$lt\": \"\\\\\"}}", "{\"s\": \"\\\\\"}"));
        assertFalse(matches("{\"/s\": {\"$gt\": \"a\"}}", "{\"s\": [\"b\"]}"));
    }

    @Test
    void aShortInMeansWhatALongOneDoes() {
        String few = "[\"a\", 1, null, [1, 2]]";
        String many = "[\"a\", 1, null, [1, 2], 10, 11, 12, 13, 14, 15, 16]";
        for (String in : new String[] {few, many}) {
            assertTrue(matches("{\"/v\": {\"$in\": " + in + "}}", "{\"v\": \"a\"}"), in);
            assertTrue(matches("{\"/v\": {\"$in\": " + in + "}}", "{\"v\": 1.0}"), in);
            assertTrue(matches("{\"/v\": {\"$in\": " + in + "}}", "{\"v\": null}"), in);
            assertTrue(matches("{\"/v\": {\"$in\": " + in + "}}", "{\"v\": [1, 2.0]}"), in);
            assertFalse(matches("{\"/v\": {\"$in\": " + in + "}}", "{\"v\": [2, 1]}"), in);
            assertFalse(matches("{\"/v\": {\"$in\": " + in + "}}", "{\"v\": \"1\"}"), in);
            assertFalse(matches("{\"/v\": {\"$in\": " + in + "}}", "{\"w\": 1}"), in);
            assertTrue(matches("{\"/v\": {\"$nin\": " + in + "}}", "{\"w\": 1}"), in);
        }
        assertFalse(matches("{\"/v\": {\"$in\": []}}", "{\"v\": 1}"));
        assertTrue(matches("{\"/v\": {\"$nin\": []}}", "{\"v\": 1}"));
    }
}
