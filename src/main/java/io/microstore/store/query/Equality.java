package io.microstore.store.query;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Function;

/**
 * An equality every app a selector matches satisfies: the value at {@code pointer} equals {@code value} (deep
 * equality by the comparison contract, so {@code 1} and {@code 1.0} are one key). A live query is filed under
 * it, and a change needs only one lookup per distinct pointer, whatever the number of queries filed there, to
 * find the queries it may concern: an app whose old and new values both lack {@code value} at
 * {@code pointer} can match none of them, before or after.
 *
 * <p>{@code value} is opaque: compare it with what a {@link #reader} reads by {@code equals}.
 */
public record Equality(String pointer, Object value) {
    /**
     * One equality the selector requires at its top level (a {@code "/p": v} member, {@code "/p": {"$eq": v}}, or
     * one inside a top-level {@code $and}), or null when it requires none (then every change may concern it).
     */
    public static Equality requiredBy(Selector selector) {
        Value where = Value.read(selector.canonical().getBytes(StandardCharsets.UTF_8));
        return find(where);
    }

    private static Equality find(Value object) {
        if (object.kind != Kind.OBJECT) {
            return null;
        }
        for (Map.Entry<String, Value> m : object.members.entrySet()) {
            String key = m.getKey();
            Value v = m.getValue();
            if (key.startsWith("/")) {
                Value wanted = operand(v);
                if (wanted != null) {
                    return new Equality(key, wanted);
                }
            } else if (key.equals("$and")) {
                for (Value item : v.items) {
                    Equality found = find(item);
                    if (found != null) {
                        return found;
                    }
                }
            }
        }
        return null;
    }

    /** The value a pointer's operand requires it to equal, or null (read as Selector reads an operand). */
    private static Value operand(Value v) {
        if (v.kind != Kind.OBJECT || v.members.isEmpty()) {
            return v;
        }
        boolean operators = v.members.keySet().stream().anyMatch(k -> k.startsWith("$"));
        if (!operators) {
            return v;
        }
        return v.members.get("$eq");
    }

    /**
     * What reads the value at {@code pointer} (a pointer a selector accepted) in stored compact JSON, as a key
     * to compare with {@link #value} by {@code equals}: null for a null value (an absent app) or nothing there.
     */
    public static Function<byte[], Object> reader(String pointer) {
        Path path = Path.parse(pointer, "pointer");
        return data -> {
            if (data == null) {
                return null;
            }
            long found = Bytes.find(data, 0, data.length, path);
            return found == Bytes.MISSING ? null : Value.read(data, (int) (found >>> 32), (int) found);
        };
    }
}
