package io.microstore.store.query;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.microstore.json.CompactJson;
import io.microstore.json.MalformedJson;

/**
 * A {@code where} selector, parsed once and then tested on stored compact JSON without building a tree of the
 * document: each pointer is followed by skipping bytes, and only the value it names is read. Immutable and
 * thread-safe. The contract (operators, limits, comparison rules) is written in docs/API.md, "Querying".
 */
public final class Selector {
    /** Most bytes of selector text. */
    public static final int MAX_BYTES = 8 * 1024;
    /** Deepest nesting of objects and arrays in the selector text. */
    public static final int MAX_DEPTH = 16;
    /** Most values in one {@code $in}, {@code $nin} or {@code $all}. */
    public static final int MAX_VALUES = 256;

    /** Most values an {@code $in} tests one by one, in place, before a hash set of read values is cheaper. */
    private static final int IN_PLACE = 8;

    private static final Set<String> TYPES = Set.of("null", "boolean", "number", "string", "array", "object");
    private static final Selector ALL =
            new Selector((buf, from, to) -> true, Value.object(new java.util.TreeMap<>()), "{}");

    private final Condition condition;
    private final Value top; // the selector as read: the planner asks it what each pointer is tested with
    private final String canonical;

    private Selector(Condition condition, Value top, String canonical) {
        this.condition = condition;
        this.top = top;
        this.canonical = canonical;
    }

    /** Matches every app. */
    public static Selector all() {
        return ALL;
    }

    /**
     * Parses a selector from its JSON text (UTF-8).
     *
     * @throws BadQuery naming the offending part: not JSON, not an object, over a limit, an unknown operator, a key
     *     neither a pointer nor an operator, a malformed pointer, an operand of the wrong shape
     */
    public static Selector parse(byte[] json) {
        if (json.length > MAX_BYTES) {
            throw new BadQuery("where: " + json.length + " bytes, more than the " + MAX_BYTES + " a selector may have");
        }
        byte[] compact;
        try {
            compact = CompactJson.compact(json);
        } catch (MalformedJson e) {
            throw new BadQuery("where is not valid JSON: " + e.getMessage());
        }
        checkDepth(compact);
        Value where = Value.readStrict(compact, "where");
        if (where.kind != Kind.OBJECT) {
            throw new BadQuery("where must be a JSON object, such as {\"/status\": \"open\"}");
        }
        return new Selector(selector(where, "where"), where, where.canonical());
    }

    /** Whether the app whose stored compact JSON value is {@code data} matches. */
    public boolean matches(byte[] data) {
        return condition.test(data, 0, data.length);
    }

    /** The selector as a value (an object of pointers and operators), read once: never changed. */
    Value top() {
        return top;
    }

    /** One text for one selector, whatever its member order or number spelling: binds a cursor to its query. */
    public String canonical() {
        return canonical;
    }

    @Override
    public String toString() {
        return canonical;
    }

    private static void checkDepth(byte[] compact) {
        int depth = 0;
        for (int i = 0; i < compact.length; i++) {
            byte b = compact[i];
            if (b == '"') {
                i = Bytes.skip(compact, i) - 1;
            } else if (b == '{' || b == '[') {
                if (++depth > MAX_DEPTH) {
                    throw new BadQuery("where: nested deeper than " + MAX_DEPTH + " objects and arrays");
                }
            } else if (b == '}' || b == ']') {
                depth--;
            }
        }
    }

    /** A selector object: each key a pointer (a test at that path) or an operator (a test of this value); all hold. */
    private static Condition selector(Value object, String where) {
        List<Condition> all = new ArrayList<>();
        for (Map.Entry<String, Value> m : object.members.entrySet()) {
            String key = m.getKey();
            if (key.startsWith("/")) {
                all.add(at(Path.parse(key, where), operand(m.getValue(), where + " " + key)));
            } else if (key.startsWith("$")) {
                all.add(operator(key, m.getValue(), where));
            } else {
                throw new BadQuery(where + ": \"" + key + "\" is neither a JSON Pointer (\"/...\") nor an operator"
                        + " (\"$...\")");
            }
        }
        return and(all);
    }

    private static Condition at(Path path, Condition condition) {
        return (buf, from, to) -> {
            if (from < 0) {
                return condition.test(buf, -1, -1);
            }
            long found = Bytes.find(buf, from, to, path);
            return found == Bytes.MISSING
                    ? condition.test(buf, -1, -1)
                    : condition.test(buf, (int) (found >>> 32), (int) found);
        };
    }

    /** The value of a pointer key: an object of operators, or else a value it must equal. */
    private static Condition operand(Value v, String where) {
        if (v.kind != Kind.OBJECT || v.members.isEmpty()) {
            return eq(v);
        }
        long operators =
                v.members.keySet().stream().filter(k -> k.startsWith("$")).count();
        if (operators == 0) {
            return eq(v);
        }
        if (operators < v.members.size()) {
            throw new BadQuery(where + ": an object mixes operators and member names; to compare with an object"
                    + " whose names begin with \"$\", use {\"$eq\": ...}");
        }
        List<Condition> all = new ArrayList<>();
        for (Map.Entry<String, Value> m : v.members.entrySet()) {
            all.add(operator(m.getKey(), m.getValue(), where));
        }
        return and(all);
    }

    private static Condition operator(String op, Value v, String where) {
        String here = where + " " + op;
        return switch (op) {
            case "$eq" -> eq(v);
            case "$ne" -> not(eq(v));
            case "$gt" -> compare(v, c -> c > 0);
            case "$gte" -> compare(v, c -> c >= 0);
            case "$lt" -> compare(v, c -> c < 0);
            case "$lte" -> compare(v, c -> c <= 0);
            case "$in" -> in(values(v, here, false));
            case "$nin" -> not(in(values(v, here, false)));
            case "$exists" -> {
                boolean wanted = bool(v, here);
                yield (buf, from, to) -> (from >= 0) == wanted;
            }
            case "$type" -> type(v, here);
            case "$prefix" -> prefix(v, here);
            case "$contains" -> {
                Condition eq = eq(v);
                yield (buf, from, to) -> from >= 0 && anyElement(buf, from, eq);
            }
            case "$all" -> {
                List<Condition> each = new ArrayList<>();
                for (Value x : values(v, here, true)) {
                    Condition eq = eq(x);
                    each.add((buf, from, to) -> anyElement(buf, from, eq));
                }
                Condition all = and(each);
                yield (buf, from, to) -> from >= 0 && buf[from] == '[' && all.test(buf, from, to);
            }
            case "$elemMatch" -> {
                Condition element = selector(object(v, here), here);
                yield (buf, from, to) -> from >= 0 && anyElement(buf, from, element);
            }
            case "$size" -> size(v, here);
            case "$and", "$or" -> {
                if (v.kind != Kind.ARRAY || v.items.isEmpty()) {
                    throw new BadQuery(here + " takes a non-empty array of selectors");
                }
                List<Condition> each = new ArrayList<>();
                for (int i = 0; i < v.items.size(); i++) {
                    String item = here + "[" + i + "]";
                    each.add(selector(object(v.items.get(i), item), item));
                }
                yield op.equals("$and") ? and(each) : or(each);
            }
            case "$not" -> not(selector(object(v, here), here));
            default ->
                throw new BadQuery(where + ": unknown operator \"" + op + "\"; the operators are $eq $ne $gt $gte $lt"
                        + " $lte $in $nin $exists $type $prefix $contains $all $elemMatch $size $and $or $not");
        };
    }

    private static Value object(Value v, String here) {
        if (v.kind != Kind.OBJECT) {
            throw new BadQuery(here + " takes a selector (a JSON object), not " + v.kind.typeName() + " " + v);
        }
        return v;
    }

    private static boolean bool(Value v, String here) {
        if (v.kind != Kind.TRUE && v.kind != Kind.FALSE) {
            throw new BadQuery(here + " takes true or false, not " + v);
        }
        return v.kind == Kind.TRUE;
    }

    private static List<Value> values(Value v, String here, boolean nonEmpty) {
        if (v.kind != Kind.ARRAY) {
            throw new BadQuery(here + " takes an array of values, not " + v.kind.typeName() + " " + v);
        }
        if (nonEmpty && v.items.isEmpty()) {
            throw new BadQuery(here + " takes a non-empty array of values");
        }
        if (v.items.size() > MAX_VALUES) {
            throw new BadQuery(
                    here + " has " + v.items.size() + " values, more than the " + MAX_VALUES + " it may have");
        }
        return v.items;
    }

    private static Condition type(Value v, String here) {
        if (v.kind != Kind.STRING || !TYPES.contains(v.str)) {
            throw new BadQuery(here + " takes one of \"null\", \"boolean\", \"number\", \"string\", \"array\","
                    + " \"object\", not " + v);
        }
        String wanted = v.str;
        return (buf, from, to) ->
                from >= 0 && Value.kindAt(buf, from).typeName().equals(wanted);
    }

    private static Condition prefix(Value v, String here) {
        if (v.kind != Kind.STRING) {
            throw new BadQuery(here + " takes a string, not " + v.kind.typeName() + " " + v);
        }
        String wanted = v.str;
        byte[] utf8 = wanted.getBytes(StandardCharsets.UTF_8);
        boolean plain = plain(utf8);
        return (buf, from, to) -> {
            if (from < 0 || buf[from] != '"') {
                return false;
            }
            if (plain
                    && to - 2 - from >= utf8.length
                    && Arrays.equals(buf, from + 1, from + 1 + utf8.length, utf8, 0, utf8.length)) {
                return true;
            }
            return hasEscape(buf, from, to) && Value.read(buf, from, to).str.startsWith(wanted);
        };
    }

    private static Condition size(Value v, String here) {
        if (v.kind != Kind.NUMBER || v.num.sign < 0 || v.num.exp < v.num.digits.length()) {
            throw new BadQuery(here + " takes a non-negative integer, not " + v);
        }
        if (v.num.exp > 9) { // longer than any array a value can hold
            return (buf, from, to) -> false;
        }
        int wanted = v.num.sign == 0
                ? 0
                : Integer.parseInt(v.num.digits + "0".repeat((int) v.num.exp - v.num.digits.length()));
        return (buf, from, to) -> {
            if (from < 0 || buf[from] != '[') {
                return false;
            }
            int n = 0;
            int i = from + 1;
            if (buf[i] == ']') {
                return wanted == 0;
            }
            while (true) {
                n++;
                int end = Bytes.skip(buf, i);
                if (buf[end] == ']') {
                    return n == wanted;
                }
                i = end + 1;
            }
        };
    }

    /** Whether the value at {@code from} is an array with an element for which {@code c} holds. */
    private static boolean anyElement(byte[] buf, int from, Condition c) {
        if (from < 0 || buf[from] != '[' || buf[from + 1] == ']') {
            return false;
        }
        int i = from + 1;
        while (true) {
            int end = Bytes.skip(buf, i);
            if (c.test(buf, i, end)) {
                return true;
            }
            if (buf[end] == ']') {
                return false;
            }
            i = end + 1;
        }
    }

    /**
     * Whether a string's UTF-8 holds no backslash or quote, so that equal raw bytes mean equal strings: a stored
     * backslash always begins an escape, and must not pass for the character it spells in the selector.
     */
    static boolean plain(byte[] utf8) {
        for (byte b : utf8) {
            if (b == '\\' || b == '"') {
                return false;
            }
        }
        return true;
    }

    private static boolean hasEscape(byte[] buf, int from, int to) {
        for (int i = from; i < to; i++) {
            if (buf[i] == '\\') {
                return true;
            }
        }
        return false;
    }

    /** Equality with {@code v}: same type and deeply equal; strings without escapes compare as bytes. */
    private static Condition eq(Value v) {
        return switch (v.kind) {
            case NULL -> (buf, from, to) -> from >= 0 && buf[from] == 'n';
            case TRUE -> (buf, from, to) -> from >= 0 && buf[from] == 't';
            case FALSE -> (buf, from, to) -> from >= 0 && buf[from] == 'f';
            case STRING -> {
                byte[] utf8 = v.str.getBytes(StandardCharsets.UTF_8);
                boolean plain = plain(utf8);
                yield (buf, from, to) -> {
                    if (from < 0 || buf[from] != '"') {
                        return false;
                    }
                    if (plain && Arrays.equals(buf, from + 1, to - 1, utf8, 0, utf8.length)) {
                        return true;
                    }
                    return hasEscape(buf, from, to)
                            && Value.read(buf, from, to).str.equals(v.str);
                };
            }
            case NUMBER -> {
                long small = v.num.small();
                if (small == Num.NOT_SMALL) {
                    yield (buf, from, to) -> from >= 0
                            && Value.kindAt(buf, from) == Kind.NUMBER
                            && Num.parse(buf, from, to).compareTo(v.num) == 0;
                }
                // An integer: a stored integer (most numbers) compares as a long, in place; any other spelling
                // (1.0, 1e0, more digits) through the exact decimal.
                yield (buf, from, to) -> {
                    if (from < 0 || Value.kindAt(buf, from) != Kind.NUMBER) {
                        return false;
                    }
                    long got = Num.smallInteger(buf, from, to);
                    return got != Num.NOT_SMALL
                            ? got == small
                            : Num.parse(buf, from, to).compareTo(v.num) == 0;
                };
            }
            case ARRAY, OBJECT -> {
                byte open = v.kind == Kind.ARRAY ? (byte) '[' : (byte) '{';
                yield (buf, from, to) -> from >= 0
                        && buf[from] == open
                        && Value.read(buf, from, to).equals(v);
            }
        };
    }

    /** An order comparison with {@code v}: only a value of the same type (booleans one type) compares at all. */
    private static Condition compare(Value v, java.util.function.IntPredicate holds) {
        Kind want = v.kind;
        boolean bool = want == Kind.TRUE || want == Kind.FALSE;
        if (want == Kind.NUMBER) {
            long small = v.num.small();
            return (buf, from, to) -> {
                if (from < 0 || Value.kindAt(buf, from) != Kind.NUMBER) {
                    return false;
                }
                long got = small == Num.NOT_SMALL ? Num.NOT_SMALL : Num.smallInteger(buf, from, to);
                return holds.test(
                        got != Num.NOT_SMALL
                                ? Long.compare(got, small)
                                : Num.parse(buf, from, to).compareTo(v.num));
            };
        }
        if (want == Kind.STRING) {
            byte[] utf8 = v.str.getBytes(StandardCharsets.UTF_8);
            // UTF-8 byte order is code point order; a string that does not survive UTF-8 (a lone surrogate) does not.
            boolean bytewise = new String(utf8, StandardCharsets.UTF_8).equals(v.str);
            return (buf, from, to) -> {
                if (from < 0 || buf[from] != '"') {
                    return false;
                }
                int c = bytewise && !hasEscape(buf, from, to)
                        ? Arrays.compareUnsigned(buf, from + 1, to - 1, utf8, 0, utf8.length)
                        : Value.read(buf, from, to).compareTo(v);
                return holds.test(c);
            };
        }
        return (buf, from, to) -> {
            if (from < 0) {
                return false;
            }
            Kind kind = Value.kindAt(buf, from);
            if (kind != want && !(bool && (kind == Kind.TRUE || kind == Kind.FALSE))) {
                return false;
            }
            return holds.test(Value.read(buf, from, to).compareTo(v));
        };
    }

    private static Condition in(List<Value> values) {
        if (values.size() <= IN_PLACE) {
            List<Condition> each = new ArrayList<>();
            for (Value x : values) {
                each.add(eq(x));
            }
            Condition any = each.isEmpty() ? (buf, from, to) -> false : or(each);
            return (buf, from, to) -> from >= 0 && any.test(buf, from, to);
        }
        Set<Value> set = new HashSet<>(values);
        return (buf, from, to) -> from >= 0 && set.contains(Value.read(buf, from, to));
    }

    private static Condition not(Condition c) {
        return (buf, from, to) -> !c.test(buf, from, to);
    }

    private static Condition and(List<Condition> all) {
        if (all.isEmpty()) {
            return (buf, from, to) -> true;
        }
        if (all.size() == 1) {
            return all.getFirst();
        }
        Condition[] cs = all.toArray(Condition[]::new);
        return (buf, from, to) -> {
            for (Condition c : cs) {
                if (!c.test(buf, from, to)) {
                    return false;
                }
            }
            return true;
        };
    }

    private static Condition or(List<Condition> any) {
        Condition[] cs = any.toArray(Condition[]::new);
        return (buf, from, to) -> {
            for (Condition c : cs) {
                if (c.test(buf, from, to)) {
                    return true;
                }
            }
            return false;
        };
    }
}
