package io.microstore.store.query;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The one contiguous range of a secondary index's whole entries that holds exactly a selector's matches, when
 * there is one: the selector tests the index's first k pointers and nothing else, the first k - 1 each with an
 * equality, the k-th with an equality or with {@code $gt $gte $lt $lte $prefix} (any of them together: their
 * ranges intersect). A comparison only matches its own type, so its range ends where the type does; a
 * {@code $prefix} is the strings from the prefix up to the first string after every string that begins with it
 * (strings sort lexicographically, so those that begin with it are contiguous). The number of entries in the
 * range is then the number of matches, counted without reading an app.
 */
public final class CountRange {
    private CountRange() {}

    /** [from, to] (both bounds, inclusive) of {@code where}'s matches in an index on {@code paths}, or null. */
    public static IndexKey[] of(Selector where, List<String> paths) {
        Value top = where.top();
        int k = top.members.size();
        if (k == 0 || k > paths.size()) {
            return null;
        }
        Value[] leading = new Value[k];
        for (int j = 0; j < k; j++) {
            Value operand = top.members.get(paths.get(j));
            if (operand == null) {
                return null; // a member that is not one of the index's first k pointers (an operator among them)
            }
            if (!survivesUtf8(operand)) {
                return null;
            }
            leading[j] = equality(operand);
            if (leading[j] == null && j < k - 1) {
                return null;
            }
        }
        Value last = leading[k - 1];
        if (last != null) {
            return new IndexKey[] {IndexKey.bound(leading, -1), IndexKey.bound(leading, 1)};
        }
        return range(Arrays.copyOf(leading, k - 1), top.members.get(paths.get(k - 1)));
    }

    /**
     * Whether the operand's strings (its own, or its operators') survive UTF-8: the selector compares a string
     * that does not (a lone surrogate) another way, which a range of the index need not agree with.
     */
    private static boolean survivesUtf8(Value operand) {
        if (operand.kind == Kind.STRING) {
            return new String(operand.str.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8).equals(operand.str);
        }
        if (operand.kind == Kind.OBJECT) {
            for (Value v : operand.members.values()) {
                if (v.kind == Kind.STRING && !survivesUtf8(v)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The value an operand requires equality with, or null when it is not an equality. */
    private static Value equality(Value operand) {
        if (operand.kind != Kind.OBJECT || operand.members.isEmpty()) {
            return operand;
        }
        if (operand.members.keySet().stream().noneMatch(m -> m.startsWith("$"))) {
            return operand; // an object to equal (the selector refused one mixing names and operators)
        }
        return operand.members.size() == 1 ? operand.members.get("$eq") : null;
    }

    /** The range of {@code operand}'s comparisons after the equal {@code leading} values, or null. */
    private static IndexKey[] range(Value[] leading, Value operand) {
        IndexKey low = null;
        IndexKey high = null;
        for (Map.Entry<String, Value> m : operand.members.entrySet()) {
            Value v = m.getValue();
            IndexKey from;
            IndexKey to;
            switch (m.getKey()) {
                case "$gt" -> {
                    from = at(leading, v, 1);
                    to = typeEnd(leading, v.kind);
                }
                case "$gte" -> {
                    from = at(leading, v, -1);
                    to = typeEnd(leading, v.kind);
                }
                case "$lt" -> {
                    from = typeStart(leading, v.kind);
                    to = at(leading, v, -1);
                }
                case "$lte" -> {
                    from = typeStart(leading, v.kind);
                    to = at(leading, v, 1);
                }
                case "$prefix" -> {
                    if (v.kind != Kind.STRING) {
                        return null;
                    }
                    from = at(leading, v, -1);
                    String after = after(v.str);
                    to = after == null ? typeEnd(leading, Kind.STRING) : at(leading, Value.string(after), -1);
                }
                default -> {
                    return null; // any other operator tests what a range does not say
                }
            }
            low = low == null || IndexKey.ORDER.compare(from, low) > 0 ? from : low;
            high = high == null || IndexKey.ORDER.compare(to, high) < 0 ? to : high;
        }
        return low == null ? null : new IndexKey[] {low, high};
    }

    /**
     * The first string, in code point order, after every string that begins with {@code prefix}: its last
     * character replaced by the next one in that order (a greatest character dropped and the one before it
     * replaced); null when every character is a greatest one (then only the end of the strings bounds them).
     */
    static String after(String prefix) {
        StringBuilder s = new StringBuilder(prefix);
        while (!s.isEmpty()) {
            char c = s.charAt(s.length() - 1);
            s.setLength(s.length() - 1);
            if (c != GREATEST) {
                return s.append(next(c)).toString();
            }
        }
        return null;
    }

    /** The greatest UTF-16 unit in code point order: surrogates sort after U+E000..U+FFFF (see Value). */
    private static final char GREATEST = '\uDFFF';

    /** The UTF-16 unit after {@code c} in code point order: ..U+D7FF, U+E000..U+FFFF, then the surrogates. */
    private static char next(char c) {
        return switch (c) {
            case '\uD7FF' -> '\uE000';
            case '\uFFFF' -> '\uD800';
            default -> (char) (c + 1);
        };
    }

    private static IndexKey at(Value[] leading, Value v, int side) {
        Value[] values = Arrays.copyOf(leading, leading.length + 1);
        values[leading.length] = v;
        return IndexKey.bound(values, side);
    }

    /** The bound before every value of {@code kind}'s type after the {@code leading} values (booleans: one type). */
    private static IndexKey typeStart(Value[] leading, Kind kind) {
        return switch (kind) {
            case NULL -> at(leading, Value.NULL, -1);
            case FALSE, TRUE -> at(leading, Value.FALSE, -1);
            case NUMBER -> at(leading, Value.TRUE, 1);
            case STRING -> at(leading, Value.string(""), -1);
            case ARRAY -> at(leading, Value.array(List.of()), -1);
            case OBJECT -> at(leading, Value.object(new TreeMap<>()), -1);
        };
    }

    /** The bound after every value of {@code kind}'s type after the {@code leading} values. */
    private static IndexKey typeEnd(Value[] leading, Kind kind) {
        return switch (kind) {
            case NULL -> at(leading, Value.NULL, 1);
            case FALSE, TRUE -> at(leading, Value.TRUE, 1);
            case NUMBER -> at(leading, Value.string(""), -1);
            case STRING -> at(leading, Value.array(List.of()), -1);
            case ARRAY -> at(leading, Value.object(new TreeMap<>()), -1);
            case OBJECT -> IndexKey.bound(leading, 1);
        };
    }
}
