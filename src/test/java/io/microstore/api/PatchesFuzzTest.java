package io.microstore.api;

import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.microstore.api.wire.Patches;
import io.microstore.json.BadPatch;
import io.microstore.json.CompactJson;
import io.microstore.json.MalformedJson;
import io.microstore.json.PatchConflict;
import io.microstore.json.PatchRefused;
import io.microstore.json.RepeatedMember;
import io.microstore.store.Entry;
import jakarta.json.JsonArray;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonStructure;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Both PATCH formats on arbitrary current values and patch documents: the only exceptions are the named
 * refusals (400 BadPatch, 400 MalformedJson, 409 PatchConflict, 422 PatchRefused), a patch that applies
 * gives what an oracle gives (an independent RFC 7396 merge for merge patches, Parsson's JSON Patch applied
 * to the whole array at once for JSON Patch), and every member of the data that the patch does not name
 * keeps its exact bytes (numbers, escapes and all), as the oracle's tree could not.
 *
 * <p>Input layout, so that the saved inputs stay readable: the first byte picks the format (odd: merge
 * patch, e.g. {@code M}; even: JSON Patch, e.g. {@code P}), then the app's current value up to the first
 * LF (not valid JSON: {@code {}}), then the patch document.
 */
class PatchesFuzzTest {
    private static final JsonProvider JSON = JsonProvider.provider();
    private static final String NAME = "app";
    private static final long MAX_BYTES = 64 << 10;
    private static final Patches PATCHES = new Patches(MAX_BYTES);

    @FuzzTest
    @DictionaryEntries({
        "\"op\"",
        "\"add\"",
        "\"remove\"",
        "\"replace\"",
        "\"move\"",
        "\"copy\"",
        "\"test\"",
        "\"path\"",
        "\"from\"",
        "\"value\"",
        "\"/data\"",
        "\"/data/",
        "\"/name\"",
        "/-",
        "/0",
        "~0",
        "~1",
        "null",
        "\\ud800",
        "\\udc00",
        "\\u0000",
        "\\u0041",
        "\\/",
        "1e400",
        "-0",
        "1.50",
        "\"k\":1,\"k\":"
    })
    void patchAgreesWithOracle(byte[] input) {
        if (input.length == 0) {
            return;
        }
        boolean merge = (input[0] & 1) == 1;
        int lf = indexOf(input, (byte) '\n', 1);
        byte[] current = storable(Arrays.copyOfRange(input, 1, lf < 0 ? input.length : lf));
        byte[] body = lf < 0 ? new byte[0] : Arrays.copyOfRange(input, lf + 1, input.length);

        byte[] result;
        try {
            result = PATCHES.parse(merge ? Patches.MERGE : Patches.JSON_PATCH, body)
                    .apply(NAME, new Entry(current, 1));
        } catch (BadPatch | MalformedJson | PatchConflict | PatchRefused e) {
            checkRefusal(merge, current, body, e);
            return;
        }
        // What a patch stores, PUT would take back as it is, and the next PATCH can read.
        assertArrayEquals(
                result, CompactJson.member(putBody(result), "data"), "the result is compact data PUT accepts");
        untouchedMembersKeepTheirBytes(merge, current, body, result);
        JsonValue expected;
        try {
            expected = expected(merge, current, body);
        } catch (JsonException | NumberFormatException e) {
            return; // a number Parsson cannot represent: the oracle cannot say
        }
        if (expected == null) {
            if (!merge && movesBesideItself(body)) {
                return; // Parsson refuses to move /a to /a'b: it compares the pointers as strings, not by token
            }
            fail("the patch applied, but the oracle refuses it; result " + utf8(result));
        }
        assertInstanceOf(JsonObject.class, expected, "the oracle's document");
        assertEquals(JSON.createValue(NAME), expected.asJsonObject().get("name"));
        assertEquals(expected.asJsonObject().get("data"), parse(result), "the patched data");
    }

    /**
     * Where the data is an object (without a repeated name) and stays one, each of its members that no
     * operation names is in the result byte for byte.
     */
    private static void untouchedMembersKeepTheirBytes(boolean merge, byte[] current, byte[] body, byte[] result) {
        if (current[0] != '{' || result[0] != '{') {
            return;
        }
        Map<String, byte[]> before;
        try {
            before = CompactJson.members(current);
        } catch (RepeatedMember e) {
            return;
        }
        Map<String, byte[]> after = CompactJson.members(result);
        java.util.Set<String> named = new java.util.HashSet<>();
        if (merge) {
            Map<String, byte[]> doc = CompactJson.members(CompactJson.compact(body));
            byte[] data = doc.get("data");
            if (data != null && data[0] != '{') {
                return; // the data is replaced whole
            } else if (data != null) {
                named.addAll(CompactJson.members(data).keySet());
            }
        } else {
            for (byte[] op : CompactJson.elements(CompactJson.compact(body))) {
                Map<String, byte[]> members = CompactJson.members(op);
                for (String pointer : List.of("path", "from")) {
                    byte[] p = members.get(pointer);
                    if (p == null) {
                        continue;
                    }
                    String[] tokens =
                            io.microstore.json.JsonText.decode(p, 0, p.length).split("/", -1);
                    if (tokens.length < 3) {
                        return; // the whole document or the whole data
                    }
                    named.add(tokens[2].replace("~1", "/").replace("~0", "~"));
                }
            }
        }
        for (Map.Entry<String, byte[]> member : before.entrySet()) {
            if (!named.contains(member.getKey())) {
                assertArrayEquals(
                        member.getValue(),
                        after.get(member.getKey()),
                        "member " + member.getKey() + ", which the patch does not name, keeps its bytes");
            }
        }
    }

    /** Whether a move's {@code from} is a prefix of its {@code path} as a string but names no parent of it. */
    private static boolean movesBesideItself(byte[] body) {
        for (byte[] op : CompactJson.elements(CompactJson.compact(body))) {
            Map<String, byte[]> members = op[0] == '{' ? CompactJson.members(op) : Map.of();
            byte[] from = members.get("from");
            byte[] path = members.get("path");
            if (from != null && path != null && from[0] == '"' && path[0] == '"') {
                String f = io.microstore.json.JsonText.decode(from, 0, from.length);
                String p = io.microstore.json.JsonText.decode(path, 0, path.length);
                if (p.startsWith(f) && !p.equals(f) && !p.startsWith(f + "/")) {
                    return true;
                }
            }
        }
        return false;
    }

    /** A refusal must be one the oracle agrees with, or one of the limits Patches adds. */
    private static void checkRefusal(boolean merge, byte[] current, byte[] body, RuntimeException refusal) {
        if (refusal instanceof BadPatch) {
            // The patch document itself, checked more strictly than Parsson does (which takes "Remove" for
            // "remove", "01" for index 1, or any string as a pointer), or a number Parsson cannot read.
            return;
        }
        JsonValue expected;
        try {
            expected = expected(merge, current, body);
        } catch (JsonException | NumberFormatException e) {
            return; // a number Parsson cannot represent: the oracle cannot say
        }
        if (expected == null) {
            return; // the oracle refuses too
        }
        boolean keepsShape = expected instanceof JsonObject doc
                && doc.size() == 2
                && doc.get("name") instanceof JsonString n
                && n.getString().equals(NAME)
                && doc.containsKey("data");
        if (!keepsShape) {
            assertInstanceOf(PatchRefused.class, refusal, "a patch that breaks {name, data}");
            return;
        }
        String message = String.valueOf(refusal.getMessage());
        // Limits beyond the oracle: size and depth of the result, a repeated name the patch reaches for (Parsson
        // keeps the last), array indexes without leading zeros.
        if (refusal instanceof PatchRefused
                        && (message.contains("larger than")
                                || message.contains("not storable")
                                || message.contains("more than once"))
                || refusal instanceof PatchConflict && message.contains("is not an array index")) {
            return;
        }
        fail("refused with " + refusal + ", but the oracle gives " + render(expected));
    }

    /** What the oracle makes of the document {name, data} under the patch, or null when the patch does not apply. */
    private static JsonValue expected(boolean merge, byte[] current, byte[] body) {
        JsonValue patch;
        try {
            patch = parse(CompactJson.compact(body));
        } catch (MalformedJson e) {
            return null;
        }
        JsonObject doc = JSON.createObjectBuilder(Map.of("name", JSON.createValue(NAME), "data", parse(current)))
                .build();
        if (merge) {
            return mergePatch(doc, patch);
        }
        if (!(patch instanceof JsonArray ops)) {
            return null;
        }
        try {
            return JSON.createPatch(ops).apply((JsonStructure) doc);
        } catch (JsonException | ClassCastException | NullPointerException e) {
            return null; // Parsson's own refusals of malformed operations
        }
    }

    /** RFC 7396 section 2, written out. (Not with a JsonObjectBuilder: Parsson's remove() fails on an empty one.) */
    private static JsonValue mergePatch(JsonValue target, JsonValue patch) {
        if (!(patch instanceof JsonObject members)) {
            return patch;
        }
        Map<String, JsonValue> result = new LinkedHashMap<>();
        if (target instanceof JsonObject object) {
            result.putAll(object);
        }
        for (Map.Entry<String, JsonValue> m : members.entrySet()) {
            if (m.getValue().getValueType() == JsonValue.ValueType.NULL) {
                result.remove(m.getKey());
            } else {
                result.put(m.getKey(), mergePatch(result.getOrDefault(m.getKey(), JsonValue.NULL), m.getValue()));
            }
        }
        return JSON.createObjectBuilder(result).build();
    }

    /**
     * The current value as the store would hold it: what PUT accepts as {@code data}, compact (which may
     * hold numbers that JSON-P cannot represent); {@code {}} where the input is not that.
     */
    private static byte[] storable(byte[] bytes) {
        try {
            return CompactJson.member(putBody(bytes), "data"); // as PUT reads it
        } catch (MalformedJson e) {
            return "{}".getBytes(StandardCharsets.UTF_8);
        }
    }

    /** The body of a PUT of {@code data}. */
    private static byte[] putBody(byte[] data) {
        byte[] body = new byte[data.length + 9];
        System.arraycopy("{\"data\":".getBytes(StandardCharsets.US_ASCII), 0, body, 0, 8);
        System.arraycopy(data, 0, body, 8, data.length);
        body[body.length - 1] = '}';
        return body;
    }

    private static JsonValue parse(byte[] json) {
        try (var reader = JSON.createReader(new StringReader(utf8(json)))) {
            return reader.readValue();
        }
    }

    private static String render(JsonValue value) {
        StringWriter out = new StringWriter();
        JSON.createWriter(out).write(value);
        return out.toString();
    }

    private static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static int indexOf(byte[] bytes, byte b, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
