package io.microstore.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.microstore.json.CompactJson;
import io.microstore.json.MalformedJson;
import io.microstore.json.RepeatedMember;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;
import jakarta.json.stream.JsonParser;
import jakarta.json.stream.JsonParsingException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The hand-written scanner against Parsson, an independent parser: both accept or both reject the
 * same bytes, the compact text means the same value, and it is the input with only the white space
 * outside strings taken out. {@code make fuzz} explores; the normal test run replays the inputs in
 * {@code src/test/resources/io/microstore/fuzz/CompactJsonFuzzTestInputs/}.
 */
class CompactJsonFuzzTest {
    private static final JsonProvider JSON = JsonProvider.provider();

    /** Parsson's answer for valid JSON it cannot represent: a number whose exponent overflows BigDecimal. */
    private static final JsonValue UNREPRESENTABLE = JSON.createValue("unrepresentable");
    /** Parsson's answer for nesting of 1000 levels or more. */
    private static final JsonValue TOO_DEEP = JSON.createValue("too deep");

    @FuzzTest
    void compactAgreesWithParsson(byte[] input) {
        JsonValue expected = parsson(input);
        if (expected == TOO_DEEP) {
            // Parsson refuses 1000 levels, CompactJson takes up to MAX_DEPTH (1000): a PUT body is one level
            // itself, so stored data never has more than 999 (PATCH reads it with Parsson).
            try {
                assertArrayEquals(
                        withoutWhitespace(input), CompactJson.compact(input), "only insignificant white space goes");
            } catch (MalformedJson e) {
                // too deep for CompactJson too, or invalid after the point where Parsson stopped
            }
            return;
        }
        if (expected == UNREPRESENTABLE) {
            // RFC 8259 puts no limit on exponents, but Parsson stops at the first such number: it has not
            // read the rest, so only the compact form can be checked, if CompactJson accepts.
            try {
                assertArrayEquals(
                        withoutWhitespace(input), CompactJson.compact(input), "only insignificant white space goes");
            } catch (MalformedJson e) {
                // the rest may well be invalid
            }
            return;
        }
        byte[] compact;
        try {
            compact = CompactJson.compact(input);
        } catch (MalformedJson e) {
            if (expected != null) {
                fail("CompactJson refuses what Parsson reads as " + expected + ": " + e.getMessage());
            }
            assertTrue(e.offset() >= 0 && e.offset() <= input.length, "offset within the input: " + e.getMessage());
            return;
        }
        if (expected == null) {
            fail("CompactJson accepts what Parsson refuses: " + new String(compact, StandardCharsets.UTF_8));
        }
        assertArrayEquals(withoutWhitespace(input), compact, "only insignificant white space goes");
        assertEquals(expected, parsson(compact), "the same value");
        assertArrayEquals(compact, CompactJson.compact(compact), "compact text is its own compact form");
        if (expected instanceof JsonObject object) {
            Map<String, byte[]> members;
            try {
                members = CompactJson.members(input);
            } catch (RepeatedMember e) { // Parsson keeps the last of a repeated name: it has fewer
                assertTrue(object.size() < topLevelMembers(compact), "a name is repeated: " + e.getMessage());
                return;
            }
            assertEquals(object.size(), topLevelMembers(compact), "no name is repeated");
            assertEquals(object.keySet(), members.keySet(), "member names");
            for (Map.Entry<String, byte[]> m : members.entrySet()) {
                assertEquals(object.get(m.getKey()), parsson(m.getValue()), "member " + m.getKey());
                if (wellFormed(m.getKey())) { // member() looks a name up by its UTF-8 bytes: "\\ud800" has none
                    assertArrayEquals(m.getValue(), CompactJson.member(input, m.getKey()), "member " + m.getKey());
                }
            }
        }
    }

    /** How many members a compact object has, repeated names counted each time. */
    private static int topLevelMembers(byte[] object) {
        int depth = 0;
        int members = 0;
        for (int i = 0; i < object.length; i++) {
            byte b = object[i];
            if (b == '"') {
                for (i++; object[i] != '"'; i++) {
                    if (object[i] == '\\') {
                        i++;
                    }
                }
            } else if (b == '{' || b == '[') {
                depth++;
            } else if (b == '}' || b == ']') {
                depth--;
            } else if (b == ':' && depth == 1) {
                members++;
            }
        }
        return members;
    }

    /** No lone surrogates (which a JSON string may hold as escapes). */
    private static boolean wellFormed(String s) {
        return s.codePoints().noneMatch(c -> c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE);
    }

    /**
     * Parsson's reading of {@code bytes}, or null if it refuses them. Parsson is given characters: it would
     * guess UTF-16 or UTF-32 from the first bytes, and replaces invalid UTF-8 instead of refusing it. A
     * UTF-8 byte order mark carries no data (CompactJson skips it too).
     */
    static JsonValue parsson(byte[] bytes) {
        String text;
        try {
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        // JsonParser rather than JsonReader: the reader stops after the first value and reads "01" as 0.
        try (JsonParser parser = JSON.createParser(new StringReader(text))) {
            if (!parser.hasNext()) {
                return null;
            }
            parser.next();
            JsonValue value = parser.getValue();
            return parser.hasNext() ? null : value;
        } catch (JsonParsingException e) {
            return null;
        } catch (JsonException e) {
            return null;
        } catch (NumberFormatException e) {
            return UNREPRESENTABLE; // e.g. 1e9999999999: Parsson reads the number into a BigDecimal
        } catch (RuntimeException e) {
            if (String.valueOf(e.getMessage()).contains("too deeply nested")) {
                return TOO_DEEP;
            }
            throw e;
        }
    }

    /** {@code bytes} without the JSON white space outside string tokens (and without a leading BOM). */
    static byte[] withoutWhitespace(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length);
        boolean inString = false;
        int start =
                bytes.length >= 3 && (bytes[0] & 0xFF) == 0xEF && (bytes[1] & 0xFF) == 0xBB && (bytes[2] & 0xFF) == 0xBF
                        ? 3
                        : 0;
        for (int i = start; i < bytes.length; i++) {
            byte b = bytes[i];
            if (inString) {
                out.write(b);
                if (b == '\\' && i + 1 < bytes.length) {
                    out.write(bytes[++i]);
                } else if (b == '"') {
                    inString = false;
                }
            } else if (b == '"') {
                inString = true;
                out.write(b);
            } else if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                out.write(b);
            }
        }
        return out.toByteArray();
    }
}
