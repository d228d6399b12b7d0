package io.microstore.api;

import java.io.ByteArrayInputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;

import io.helidon.http.HeaderNames;
import io.microstore.json.CompactJson;
import io.microstore.store.Command;
import io.microstore.store.Entry;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonPatch;
import jakarta.json.JsonStructure;
import jakarta.json.JsonValue;

/**
 * PATCH on the representation {@code {"name", "data"}} in the two standard formats, JSON Merge Patch
 * (RFC 7396) and JSON Patch (RFC 6902), with JSON-P's own implementations. The patch document is
 * checked here, on the request's thread; it is applied on the worker, to the current value, so it is
 * atomic with respect to every other write.
 */
final class Patches {
    static final String MERGE = "application/merge-patch+json";
    static final String JSON_PATCH = "application/json-patch+json";
    static final String ACCEPTED = MERGE + ", " + JSON_PATCH;
    private static final Set<String> OPS = Set.of("add", "remove", "replace", "move", "copy", "test");

    private Patches() {
    }

    /** The change a PATCH request asks for, given its media type and body. */
    static Command.Change parse(String mediaType, byte[] body) {
        return switch (mediaType) {
            case MERGE -> {
                JsonValue patch = read(body);
                yield (name, current) -> result(name, Json.createMergePatch(patch).apply(document(name, current)));
            }
            case JSON_PATCH -> {
                if (!(read(body) instanceof JsonArray ops)) {
                    throw new BadRequest("a JSON Patch document must be an array of operations");
                }
                ops.forEach(Patches::checkOperation);
                JsonPatch patch = Json.createPatch(ops);
                yield (name, current) -> {
                    JsonStructure patched;
                    try {
                        patched = patch.apply(document(name, current));
                    } catch (JsonException e) {
                        throw new PatchConflict("the patch does not apply to the current value: " + e.getMessage());
                    }
                    return result(name, patched);
                };
            }
            default -> throw new UnsupportedMediaType(mediaType, HeaderNames.ACCEPT_PATCH, ACCEPTED);
        };
    }

    /** Validates (UTF-8, grammar, depth) with the same scanner as PUT, then builds the JSON-P tree. */
    private static JsonValue read(byte[] body) {
        byte[] compact = CompactJson.compact(body);
        return Json.createReader(new ByteArrayInputStream(compact)).readValue();
    }

    /** RFC 6902 section 4: every operation names a known op and a JSON Pointer, with its other members. */
    private static void checkOperation(JsonValue value) {
        if (!(value instanceof JsonObject op)) {
            throw new BadRequest("every JSON Patch operation must be an object, not " + value);
        }
        if (!(op.get("op") instanceof jakarta.json.JsonString kind) || !OPS.contains(kind.getString())) {
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

    private static void pointer(JsonObject op, String member) {
        if (!(op.get(member) instanceof jakarta.json.JsonString p)
                || !(p.getString().isEmpty() || p.getString().startsWith("/"))) {
            throw new BadRequest("\"" + member + "\" must be a JSON Pointer such as \"/data/x\" in " + op);
        }
    }

    private static JsonObject document(String name, Entry current) {
        JsonValue data = Json.createReader(new ByteArrayInputStream(current.data())).readValue();
        return Json.createObjectBuilder(Map.of("name", Json.createValue(name), "data", data)).build();
    }

    /** The new compact data of a patched document, which must still be {@code {"name": name, "data": ...}}. */
    private static byte[] result(String name, JsonValue patched) {
        if (!(patched instanceof JsonObject doc)) {
            throw new PatchRefused("the patched document must stay an object {\"name\", \"data\"}");
        }
        if (!(doc.get("name") instanceof jakarta.json.JsonString n) || !n.getString().equals(name)) {
            throw new PatchRefused("a patch cannot rename an app; \"name\" must stay \"" + name + "\"");
        }
        if (!doc.containsKey("data")) {
            throw new PatchRefused("a patch cannot remove \"data\"");
        }
        if (doc.size() != 2) {
            throw new PatchRefused("an app has only \"name\" and \"data\"; the patch added " + doc.keySet());
        }
        StringWriter out = new StringWriter();
        Json.createWriter(out).write(doc.get("data"));
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }
}
