package io.microstore.json.patch;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import io.microstore.json.BadPatch;
import io.microstore.json.JsonText;
import io.microstore.json.PatchConflict;

/**
 * A JSON Patch document (RFC 6902): its operations checked when it is read (400 for a malformed one),
 * applied in order to a {@link Document}, all or nothing. An operation that does not fit the value (a
 * path that leads nowhere, a failed test) is a {@link PatchConflict} naming the operation.
 */
final class JsonPatch {
    private static final Set<String> OPS = Set.of("add", "remove", "replace", "move", "copy", "test");

    /** One operation: its kind, its path, {@code from} (move, copy) and {@code value} (add, replace, test). */
    private record Operation(String op, Pointer path, Pointer from, Raw value) {}

    private final List<Operation> operations;

    private JsonPatch(List<Operation> operations) {
        this.operations = operations;
    }

    /** Reads a patch document that is valid compact JSON and names no member twice. */
    static JsonPatch read(Raw patch, Work work) {
        if (patch.kind() != Node.Kind.ARRAY) {
            throw new BadPatch("a JSON Patch document must be an array of operations");
        }
        ArrayNode elements = ArrayNode.of(patch, work);
        List<Operation> operations = new ArrayList<>(elements.size());
        for (int i = 0; i < elements.size(); i++) {
            operations.add(operation((Raw) elements.get(i), work));
        }
        return new JsonPatch(operations);
    }

    private static Operation operation(Raw raw, Work work) {
        if (raw.kind() != Node.Kind.OBJECT) {
            throw new BadPatch("every JSON Patch operation must be an object, not " + text(raw));
        }
        ObjectNode members = ObjectNode.of(raw, work);
        String op = string(members.get("op"));
        if (op == null || !OPS.contains(op)) {
            throw new BadPatch("\"op\" must be one of add, remove, replace, move, copy, test in " + text(raw));
        }
        Pointer path = pointer(members, "path", raw);
        Pointer from = op.equals("move") || op.equals("copy") ? pointer(members, "from", raw) : null;
        Raw value = null;
        if (op.equals("add") || op.equals("replace") || op.equals("test")) {
            value = (Raw) members.get("value");
            if (value == null) {
                throw new BadPatch("\"" + op + "\" needs a \"value\" in " + text(raw));
            }
        }
        return new Operation(op, path, from, value); // other members: ignored, as RFC 6902 says
    }

    /** Applies every operation in order; returns the document's new root. */
    Node apply(Node root, Work work, long maxBytes) {
        Document doc = new Document(root, work);
        Equality equality = new Equality(work);
        for (int i = 0; i < operations.size(); i++) {
            Operation o = operations.get(i);
            try {
                switch (o.op()) {
                    case "add" -> doc.add(o.path(), o.value());
                    case "remove" -> doc.remove(o.path());
                    case "replace" -> doc.replace(o.path(), o.value());
                    case "move" -> move(doc, o.from(), o.path());
                    case "copy" -> doc.add(o.path(), copy(doc.get(o.from()), work, maxBytes));
                    default -> {
                        if (!equality.equal(doc.get(o.path()), o.value())) {
                            throw new PatchConflict("the value at " + o.path() + " is not " + text(o.value()));
                        }
                    }
                }
            } catch (PatchConflict e) {
                throw new PatchConflict(
                        "operation " + i + " (" + o.op() + ") does not apply to the current value: " + e.getMessage());
            }
        }
        return doc.root();
    }

    private static void move(Document doc, Pointer from, Pointer path) {
        if (from.isProperPrefixOf(path)) {
            throw new PatchConflict("a value cannot be moved into itself (" + from + " to " + path + ")");
        }
        if (from.equals(path)) {
            doc.get(from); // must exist; moving it onto itself changes nothing
            return;
        }
        doc.add(path, doc.remove(from));
    }

    /**
     * The value to put at a second place: raw bytes are shared as they are, since nothing changes them;
     * an opened value is written out first, so the two places do not share later changes.
     */
    private static Node copy(Node value, Work work, long maxBytes) {
        return value instanceof Raw ? value : Raw.of(Output.write(value, 1, maxBytes, work));
    }

    private static Pointer pointer(ObjectNode members, String member, Raw op) {
        String text = string(members.get(member));
        if (text == null) {
            throw new BadPatch("\"" + member + "\" must be a JSON Pointer string such as \"/data/x\" in " + text(op));
        }
        return Pointer.parse(text);
    }

    /** A string member's decoded value, or null when it is absent or no string. */
    private static String string(Node value) {
        return value instanceof Raw raw && raw.kind() == Node.Kind.STRING
                ? JsonText.decode(raw.source.buf, raw.from, raw.to)
                : null;
    }

    /** A value's text for a message, shortened. */
    private static String text(Raw raw) {
        String text = new String(raw.source.buf, raw.from, Math.min(raw.length(), 200), StandardCharsets.UTF_8);
        return raw.length() > 200 ? text + "..." : text;
    }
}
