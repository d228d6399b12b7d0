package io.microstore.store.query;

import java.io.StringReader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import io.microstore.json.CompactJson;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random documents and selectors (seeded, so a failure replays): {@link Selector#matches} on the compact bytes
 * must agree with a plain reference evaluation of the contract over JSON-P trees, and {@link Order}'s comparator
 * with a reference total order.
 */
class SelectorPropertyTest {
    private static final String[] NAMES = {"a", "", "é", "x/y", "\uD83D\uDE00"};
    private static final String[] STRINGS = {"", "a", "é", "e\u0301", "\uFFFF", "\uD83D\uDE00", "0666"};
    private static final String[] NUMBERS = {
        "0",
        "-0",
        "1",
        "1.0",
        "1e0",
        "10e-1",
        "2",
        "-1",
        "0.5",
        "5e-1",
        "9007199254740992",
        "9007199254740993",
        "1e400",
        "-1E+400",
        "123.456"
    };
    private static final String[] POINTER_TOKENS = {"a", "a", "", "é", "x~1y", "\uD83D\uDE00", "0", "-", "01"};
    private static final String[] TYPES = {"null", "boolean", "number", "string", "array", "object"};

    private final Random random = new Random(20261206L);

    @Test
    void matchesAgreesWithAReferenceEvaluation() {
        int matched = 0;
        int cases = 0;
        for (int i = 0; cases < 3000; i++) {
            String doc = document();
            String where = selector(2);
            if (depth(where) > Selector.MAX_DEPTH) {
                continue; // a BadQuery, tested on its own
            }
            cases++;
            boolean expected = reference(read(where).asJsonObject(), read(doc));
            boolean actual = Selector.parse(where.getBytes(StandardCharsets.UTF_8))
                    .matches(CompactJson.compact(doc.getBytes(StandardCharsets.UTF_8)));
            assertEquals(expected, actual, "case " + i + ": where " + where + " on " + doc);
            matched += actual ? 1 : 0;
        }
        // the generator must exercise both answers, or the agreement proves little
        assertTrue(matched > 300 && matched < 2700, "matched " + matched);
    }

    @Test
    void theOrderAgreesWithAReferenceTotalOrder() {
        Order order = Order.parse("/a");
        for (int i = 0; i < 3000; i++) {
            String x = random.nextInt(8) == 0 ? "{}" : "{\"a\":" + value(2, true) + "}";
            String y = random.nextInt(8) == 0 ? "{}" : "{\"a\":" + value(2, true) + "}";
            int expected = Integer.signum(compare(
                    read(x).asJsonObject().get("a"), read(y).asJsonObject().get("a")));
            int actual = Integer.signum(order.comparator()
                    .compare(
                            order.key(CompactJson.compact(x.getBytes(StandardCharsets.UTF_8))),
                            order.key(CompactJson.compact(y.getBytes(StandardCharsets.UTF_8)))));
            assertEquals(expected, actual, "case " + i + ": " + x + " vs " + y);
        }
    }

    /** Nesting of the generated text, whose strings hold no brackets. */
    private static int depth(String json) {
        int depth = 0;
        int max = 0;
        for (char c : json.toCharArray()) {
            depth += c == '{' || c == '[' ? 1 : c == '}' || c == ']' ? -1 : 0;
            max = Math.max(max, depth);
        }
        return max;
    }

    // ---- generators (JSON text) ----

    /** Mostly an object, as most apps' data is, so that pointers find something. */
    private String document() {
        String doc;
        do {
            doc = value(3, true);
        } while (!doc.startsWith("{") && random.nextInt(4) != 0);
        return doc;
    }

    private String value(int depth, boolean escapes) {
        int kind = random.nextInt(depth > 0 ? 9 : 6);
        return switch (kind) {
            case 0 -> "null";
            case 1 -> random.nextBoolean() ? "true" : "false";
            case 2, 3 -> NUMBERS[random.nextInt(NUMBERS.length)];
            case 4, 5 -> string(STRINGS[random.nextInt(STRINGS.length)], escapes);
            case 6 -> {
                StringBuilder a = new StringBuilder("[");
                int n = random.nextInt(4);
                for (int i = 0; i < n; i++) {
                    a.append(i > 0 ? "," : "").append(value(depth - 1, escapes));
                }
                yield a.append(']').toString();
            }
            default -> {
                StringBuilder o = new StringBuilder("{");
                List<String> names = new ArrayList<>(List.of(NAMES));
                java.util.Collections.shuffle(names, random);
                int n = random.nextInt(4);
                for (int i = 0; i < n; i++) {
                    o.append(i > 0 ? "," : "")
                            .append(string(names.get(i), escapes))
                            .append(':')
                            .append(value(depth - 1, escapes));
                }
                yield o.append('}').toString();
            }
        };
    }

    /** A JSON string, sometimes with its non-ASCII characters escaped, as a stored value may be. */
    private String string(String s, boolean escapes) {
        if (!escapes || random.nextBoolean()) {
            return "\"" + s + "\"";
        }
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            out.append(c < 0x80 ? String.valueOf(c) : String.format("\\u%04x", (int) c));
        }
        return out.append('"').toString();
    }

    private String pointer() {
        StringBuilder p = new StringBuilder();
        int n = random.nextInt(3) == 0 ? 2 : 1;
        for (int i = 0; i < n; i++) {
            p.append('/').append(POINTER_TOKENS[random.nextInt(POINTER_TOKENS.length)]);
        }
        return string(p.toString(), false);
    }

    private String selector(int depth) {
        StringBuilder s = new StringBuilder("{");
        int n = random.nextInt(3);
        List<String> used = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String key;
            String val;
            if (depth > 0 && random.nextInt(4) == 0) {
                int which = random.nextInt(3);
                key = new String[] {"\"$and\"", "\"$or\"", "\"$not\""}[which];
                val = which == 2 ? selector(depth - 1) : selectors(depth - 1);
            } else {
                key = pointer();
                val = operand(depth);
            }
            if (used.contains(key)) {
                continue;
            }
            used.add(key);
            s.append(used.size() > 1 ? "," : "").append(key).append(':').append(val);
        }
        return s.append('}').toString();
    }

    private String selectors(int depth) {
        StringBuilder a = new StringBuilder("[");
        int n = 1 + random.nextInt(2);
        for (int i = 0; i < n; i++) {
            a.append(i > 0 ? "," : "").append(selector(depth));
        }
        return a.append(']').toString();
    }

    private String operand(int depth) {
        if (random.nextInt(3) == 0) {
            String v = value(1, false);
            return v.startsWith("{") && v.contains("\"$") ? "1" : v;
        }
        return operators(depth);
    }

    /** An object of operators about one value: also a selector about it. */
    private String operators(int depth) {
        StringBuilder o = new StringBuilder("{");
        int n = 1 + random.nextInt(2);
        List<String> used = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String op = new String[] {
                        "$eq",
                        "$ne",
                        "$gt",
                        "$gte",
                        "$lt",
                        "$lte",
                        "$in",
                        "$nin",
                        "$exists",
                        "$type",
                        "$prefix",
                        "$contains",
                        "$all",
                        "$elemMatch",
                        "$size",
                        "$and",
                        "$or",
                        "$not"
                    }
                    [random.nextInt(18)];
            if (used.contains(op)) {
                continue;
            }
            String val = switch (op) {
                case "$in", "$nin" -> values(0);
                case "$all" -> values(1);
                case "$exists" -> random.nextBoolean() ? "true" : "false";
                case "$type" -> "\"" + TYPES[random.nextInt(TYPES.length)] + "\"";
                case "$prefix" -> string(STRINGS[random.nextInt(STRINGS.length)], false);
                case "$size" -> String.valueOf(random.nextInt(4));
                case "$elemMatch" -> random.nextBoolean() ? selector(Math.max(0, depth - 1)) : operators(0);
                case "$and", "$or" -> "[" + operators(0) + (random.nextBoolean() ? "," + selector(0) : "") + "]";
                case "$not" -> random.nextBoolean() ? operators(0) : selector(0);
                default -> value(1, false);
            };
            used.add(op);
            o.append(used.size() > 1 ? "," : "")
                    .append('"')
                    .append(op)
                    .append("\":")
                    .append(val);
        }
        return o.append('}').toString();
    }

    private String values(int min) {
        StringBuilder a = new StringBuilder("[");
        int n = min + random.nextInt(3);
        for (int i = 0; i < n; i++) {
            a.append(i > 0 ? "," : "").append(value(1, false));
        }
        return a.append(']').toString();
    }

    // ---- the reference: the contract, over JSON-P trees ----

    private static JsonValue read(String json) {
        try (var r = Json.createReader(new StringReader(json))) {
            return r.readValue();
        }
    }

    /** {@code v} null: missing. */
    private static boolean reference(JsonObject selector, JsonValue v) {
        for (Map.Entry<String, JsonValue> e : selector.entrySet()) {
            String key = e.getKey();
            boolean ok = key.startsWith("/") ? operand(e.getValue(), navigate(v, key)) : op(key, e.getValue(), v);
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static boolean operand(JsonValue operand, JsonValue v) {
        if (operand instanceof JsonObject o
                && !o.isEmpty()
                && o.keySet().stream().allMatch(k -> k.startsWith("$"))) {
            return o.entrySet().stream().allMatch(e -> op(e.getKey(), e.getValue(), v));
        }
        return v != null && same(operand, v);
    }

    private static boolean op(String op, JsonValue x, JsonValue v) {
        return switch (op) {
            case "$eq" -> v != null && same(x, v);
            case "$ne" -> !(v != null && same(x, v));
            case "$gt" -> v != null && type(v).equals(type(x)) && compare(v, x) > 0;
            case "$gte" -> v != null && type(v).equals(type(x)) && compare(v, x) >= 0;
            case "$lt" -> v != null && type(v).equals(type(x)) && compare(v, x) < 0;
            case "$lte" -> v != null && type(v).equals(type(x)) && compare(v, x) <= 0;
            case "$in" -> v != null && x.asJsonArray().stream().anyMatch(e -> same(e, v));
            case "$nin" -> !(v != null && x.asJsonArray().stream().anyMatch(e -> same(e, v)));
            case "$exists" -> (v != null) == (x == JsonValue.TRUE);
            case "$type" -> v != null && type(v).equals(((JsonString) x).getString());
            case "$prefix" -> v instanceof JsonString s && s.getString().startsWith(((JsonString) x).getString());
            case "$contains" -> v instanceof JsonArray a && a.stream().anyMatch(e -> same(x, e));
            case "$all" ->
                v instanceof JsonArray a
                        && x.asJsonArray().stream().allMatch(w -> a.stream().anyMatch(e -> same(w, e)));
            case "$elemMatch" -> v instanceof JsonArray a && a.stream().anyMatch(e -> reference(x.asJsonObject(), e));
            case "$size" -> v instanceof JsonArray a && a.size() == ((JsonNumber) x).intValue();
            case "$and" -> x.asJsonArray().stream().allMatch(s -> reference(s.asJsonObject(), v));
            case "$or" -> x.asJsonArray().stream().anyMatch(s -> reference(s.asJsonObject(), v));
            case "$not" -> !reference(x.asJsonObject(), v);
            default -> throw new AssertionError(op);
        };
    }

    private static JsonValue navigate(JsonValue v, String pointer) {
        for (String raw : pointer.substring(1).split("/", -1)) {
            String token = raw.replace("~1", "/").replace("~0", "~");
            if (v instanceof JsonObject o) {
                v = o.get(token);
            } else if (v instanceof JsonArray a && token.matches("0|[1-9][0-9]{0,8}")) {
                int i = Integer.parseInt(token);
                v = i < a.size() ? a.get(i) : null;
            } else {
                return null;
            }
            if (v == null) {
                return null;
            }
        }
        return v;
    }

    private static String type(JsonValue v) {
        return switch (v.getValueType()) {
            case TRUE, FALSE -> "boolean";
            default -> v.getValueType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    private static boolean same(JsonValue a, JsonValue b) {
        return compare(a, b) == 0;
    }

    private static int rank(JsonValue v) {
        return switch (v.getValueType()) {
            case NULL -> 1;
            case FALSE -> 2;
            case TRUE -> 3;
            case NUMBER -> 4;
            case STRING -> 5;
            case ARRAY -> 6;
            case OBJECT -> 7;
        };
    }

    /** The total order; null is missing, first. */
    private static int compare(JsonValue a, JsonValue b) {
        if (a == null || b == null) {
            return (a == null ? 0 : 1) - (b == null ? 0 : 1);
        }
        if (rank(a) != rank(b)) {
            return Integer.compare(rank(a), rank(b));
        }
        return switch (a.getValueType()) {
            case NUMBER -> {
                BigDecimal x = ((JsonNumber) a).bigDecimalValue();
                BigDecimal y = ((JsonNumber) b).bigDecimalValue();
                yield x.compareTo(y);
            }
            case STRING ->
                java.util.Arrays.compare(
                        ((JsonString) a).getString().codePoints().toArray(),
                        ((JsonString) b).getString().codePoints().toArray());
            case ARRAY -> {
                JsonArray x = a.asJsonArray();
                JsonArray y = b.asJsonArray();
                for (int i = 0; i < Math.min(x.size(), y.size()); i++) {
                    int c = compare(x.get(i), y.get(i));
                    if (c != 0) {
                        yield c;
                    }
                }
                yield Integer.compare(x.size(), y.size());
            }
            case OBJECT -> {
                List<String> xs = sortedNames(a.asJsonObject());
                List<String> ys = sortedNames(b.asJsonObject());
                for (int i = 0; i < Math.min(xs.size(), ys.size()); i++) {
                    int c = codePoints(xs.get(i), ys.get(i));
                    if (c != 0) {
                        yield c;
                    }
                }
                if (xs.size() != ys.size()) {
                    yield Integer.compare(xs.size(), ys.size());
                }
                for (String name : xs) {
                    int c = compare(a.asJsonObject().get(name), b.asJsonObject().get(name));
                    if (c != 0) {
                        yield c;
                    }
                }
                yield 0;
            }
            default -> 0;
        };
    }

    private static int codePoints(String a, String b) {
        return java.util.Arrays.compare(a.codePoints().toArray(), b.codePoints().toArray());
    }

    private static List<String> sortedNames(JsonObject o) {
        List<String> names = new ArrayList<>(o.keySet());
        names.sort(SelectorPropertyTest::codePoints);
        return names;
    }
}
