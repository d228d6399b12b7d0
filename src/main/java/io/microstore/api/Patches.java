package io.microstore.api;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.microstore.json.CompactJson;
import io.microstore.json.MalformedJson;
import io.microstore.store.Command;
import io.microstore.store.Entry;
import jakarta.json.JsonArray;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonStructure;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;

/**
 * PATCH on the representation {@code {"name", "data"}} in the two standard formats, JSON Merge Patch
 * (RFC 7396) and JSON Patch (RFC 6902), with JSON-P's own implementations. The patch document is
 * checked here, on the request's thread; it is applied by the engine, to the current value, so it is
 * atomic with respect to every other write. The result must still be a valid app no larger than
 * {@code maxBytes} and no deeper than PUT allows.
 */
final class Patches {
    /** Looked up once: every {@code Json.*} call would search the service loader again. */
    private static final JsonProvider JSON = JsonProvider.provider();
    static final String MERGE = "application/merge-patch+json";
    static final String JSON_PATCH = "application/json-patch+json";
    static final String ACCEPTED = MERGE + ", " + JSON_PATCH;
    private static final Set<String> OPS = Set.of("add", "remove", "replace", "move", "copy", "test");

    private final long maxBytes;

    Patches(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    static boolean supports(String mediaType) {
        return mediaType.equals(MERGE) || mediaType.equals(JSON_PATCH);
    }

    /** The change a PATCH request asks for, given its (supported) media type and body. */
    Command.Change parse(String mediaType, byte[] body) {
        JsonValue patch = read(body);
        if (mediaType.equals(MERGE)) {
            return (name, current) -> result(name, JSON.createMergePatch(patch).apply(document(name, current)));
        }
        if (!(patch instanceof JsonArray ops)) {
            throw new BadRequest("a JSON Patch document must be an array of operations");
        }
        ops.forEach(Patches::checkOperation);
        return (name, current) -> {
            JsonStructure doc = document(name, current);
            // One operation at a time, so each path can be checked against the document it applies to.
            for (JsonValue op : ops) {
                JsonObject operation = op.asJsonObject();
                checkIndexes(doc, operation, "path");
                checkIndexes(doc, operation, "from");
                try {
                    doc = JSON.createPatch(JSON.createArrayBuilder().add(operation).build()).apply(doc);
                } catch (JsonException e) {
                    throw new PatchConflict("the patch does not apply to the current value: " + e.getMessage());
                }
            }
            return result(name, doc);
        };
    }

    /**
     * The change of a transaction's {@code patch}: {@code merge} (compact JSON) is an RFC 7396 merge patch
     * of the app's data (not of its {@code {"name", "data"}} document: a patch that is no object replaces
     * the data, {@code null} included), with PATCH's limits on the result.
     */
    Command.Change mergeData(byte[] merge) {
        JsonValue patch = read(merge);
        return (name, current) -> {
            JsonObject doc = document(name, current);
            JsonValue data = JSON.createMergePatch(patch).apply(doc.get("data"));
            return result(name, JSON.createObjectBuilder(Map.of("name", doc.get("name"), "data", data)).build());
        };
    }

    /** Validates (UTF-8, grammar, depth) with the same scanner as PUT, then builds the JSON-P tree. */
    private static JsonValue read(byte[] body) {
        byte[] json = CompactJson.compact(body);
        try {
            return parse(json);
        } catch (NumberFormatException e) { // valid JSON, e.g. 1e9999999999: JSON-P reads numbers as BigDecimal
            throw new BadRequest("the patch document holds a number JSON-P cannot represent: " + e.getMessage());
        }
    }

    /** Parses valid compact JSON. Through a Reader: Parsson cannot guess the encoding of a 1-byte stream. */
    private static JsonValue parse(byte[] json) {
        return JSON.createReader(new StringReader(new String(json, StandardCharsets.UTF_8))).readValue();
    }

    /** RFC 6902 section 4: every operation names a known op and a JSON Pointer, with its other members. */
    private static void checkOperation(JsonValue value) {
        if (!(value instanceof JsonObject op)) {
            throw new BadRequest("every JSON Patch operation must be an object, not " + value);
        }
        if (!(op.get("op") instanceof JsonString kind) || !OPS.contains(kind.getString())) {
            throw new BadRequest("\"op\" must be one of " + OPS + " in " + op);
        }
        pointer(op, "path");
        switch (kind.getString()) {
            case "add", "replace", "test" -> {
                if (!op.containsKey("value")) {
                    throw new BadRequest("\"" + kind.getString() + "\" needs a \"value\" in " + op);
                }
            }
            case "move", "copy" -> pointer(op, "from");
            default -> { }
        }
    }

    /** RFC 6901: empty, or "/"-separated tokens in which "~" only appears as "~0" or "~1". */
    private static void pointer(JsonObject op, String member) {
        if (!(op.get(member) instanceof JsonString p) || !(p.getString().isEmpty() || p.getString().startsWith("/"))
                || !p.getString().replaceAll("~[01]", "").chars().noneMatch(c -> c == '~')) {
            throw new BadRequest("\"" + member + "\" must be a JSON Pointer such as \"/data/x\" in " + op);
        }
    }

    /**
     * Where a pointer goes through an array, its token must be an index without leading zeros (or "-",
     * the end, as the last token); JSON-P would read "01" as 1. Such a path does not exist: 409.
     */
    private static void checkIndexes(JsonStructure doc, JsonObject op, String member) {
        if (!(op.get(member) instanceof JsonString p) || p.getString().isEmpty()) {
            return;
        }
        JsonValue at = doc;
        List<String> tokens = List.of(p.getString().substring(1).split("/", -1));
        for (int i = 0; i < tokens.size() && at != null; i++) {
            String token = tokens.get(i).replace("~1", "/").replace("~0", "~");
            if (at instanceof JsonArray array) {
                boolean end = token.equals("-") && i == tokens.size() - 1;
                if (!end && !token.matches("0|[1-9][0-9]{0,9}")) {
                    throw new PatchConflict("\"" + token + "\" in " + p.getString() + " is not an array index");
                }
                at = end || Long.parseLong(token) >= array.size() ? null : array.get(Integer.parseInt(token));
            } else {
                at = at instanceof JsonObject object ? object.get(token) : null;
            }
        }
    }

    private static JsonObject document(String name, Entry current) {
        JsonValue data;
        try {
            data = parse(current.data());
        } catch (NumberFormatException e) { // PUT stores any valid JSON number; JSON-P reads it into a BigDecimal
            throw new PatchRefused("the current value holds a number JSON-P cannot represent (" + e.getMessage()
                    + "); replace it with PUT");
        }
        return JSON.createObjectBuilder(Map.of("name", JSON.createValue(name), "data", data)).build();
    }

    /** The new compact data of a patched document, which must still be {@code {"name": name, "data": ...}}. */
    private byte[] result(String name, JsonValue patched) {
        if (!(patched instanceof JsonObject doc)) {
            throw new PatchRefused("the patched document must stay an object {\"name\", \"data\"}");
        }
        if (!(doc.get("name") instanceof JsonString n) || !n.getString().equals(name)) {
            throw new PatchRefused("a patch cannot rename an app; \"name\" must stay \"" + name + "\"");
        }
        if (!doc.containsKey("data")) {
            throw new PatchRefused("a patch cannot remove \"data\"");
        }
        if (doc.size() != 2) {
            throw new PatchRefused("an app has only \"name\" and \"data\"; the patch added " + doc.keySet());
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        // Bounded while writing: a few "copy" operations can double the value each time. Written as the
        // body of a PUT, {"data": ...}, and read back as PUT reads it: the same size and depth limits, so
        // that what a patch stores can be read by JSON-P (the next PATCH) and PUT back as it is.
        JsonObject body = JSON.createObjectBuilder().add("data", doc.get("data")).build();
        JSON.createWriter(new Limited(out, maxBytes)).write(body);
        try {
            return CompactJson.member(out.toByteArray(), "data");
        } catch (MalformedJson e) {
            throw new PatchRefused("the patched value is not storable: " + e.getMessage());
        }
    }

    /** An output stream that refuses to grow past a limit. */
    private static final class Limited extends OutputStream {
        private final ByteArrayOutputStream out;
        private final long limit;

        Limited(ByteArrayOutputStream out, long limit) {
            this.out = out;
            this.limit = limit;
        }

        @Override
        public void write(int b) {
            check(1);
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            check(len);
            out.write(b, off, len);
        }

        private void check(int more) {
            if (out.size() + (long) more > limit) {
                throw new PatchRefused("the patched value would be larger than " + limit
                        + " bytes (server.max-payload-size)");
            }
        }
    }
}
