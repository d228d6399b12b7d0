package io.microstore.store.query;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * What a selector asks, at its top level, of one pointer, as ranges of a secondary index whose first pointer it
 * is: equality and {@code $in} as one range per value, {@code $gt $gte $lt $lte} as one range (bounded by the
 * value's type, since a comparison never matches another type), {@code $contains} and {@code $all} as the element
 * entries of one value. Only narrows: whatever the ranges hold is still tested with the whole selector.
 */
public final class IndexRanges {
    private final List<IndexKey[]> ranges; // null: the selector puts no usable condition on the pointer
    private final boolean equalities; // each range is one value
    private final boolean sole; // the selector is this one condition and nothing else

    private IndexRanges(List<IndexKey[]> ranges, boolean equalities, boolean sole) {
        this.ranges = ranges;
        this.equalities = equalities;
        this.sole = sole;
    }

    private static final IndexRanges NONE = new IndexRanges(null, false, false);

    /** The ranges {@code where} gives {@code pointer} at its top level. */
    public static IndexRanges of(Selector where, String pointer) {
        Value top = where.top();
        Value operand = top.members.get(pointer);
        if (operand == null) {
            return NONE;
        }
        boolean alone = top.members.size() == 1;
        if (operand.kind != Kind.OBJECT
                || operand.members.isEmpty()
                || operand.members.keySet().stream().noneMatch(k -> k.startsWith("$"))) {
            return equal(List.of(operand), false, alone);
        }
        List<Value> eqs = null;
        Value contains = null;
        IndexKey low = null;
        IndexKey high = null;
        int used = 0;
        for (Map.Entry<String, Value> m : operand.members.entrySet()) {
            Value v = m.getValue();
            switch (m.getKey()) {
                case "$eq" -> eqs = List.of(v);
                case "$in" -> eqs = v.items;
                case "$contains" -> contains = v;
                case "$all" -> contains = v.items.getFirst();
                case "$gt" -> low = max(low, IndexKey.bound(false, v, 1));
                case "$gte" -> low = max(low, IndexKey.bound(false, v, -1));
                case "$lt" -> high = min(high, IndexKey.bound(false, v, -1));
                case "$lte" -> high = min(high, IndexKey.bound(false, v, 1));
                default -> used--;
            }
            used++;
            if (m.getKey().startsWith("$g")) {
                high = min(high, typeEnd(v.kind));
            } else if (m.getKey().startsWith("$l")) {
                low = max(low, typeStart(v.kind));
            }
        }
        boolean sole = alone && used == operand.members.size();
        if (eqs != null) {
            return equal(eqs, false, sole && used == 1);
        }
        if (low != null) {
            List<IndexKey[]> ranges = new ArrayList<>();
            if (IndexKey.ORDER.compare(low, high) < 0) {
                ranges.add(new IndexKey[] {low, high});
            }
            return new IndexRanges(ranges, false, sole && contains == null);
        }
        if (contains != null) {
            return equal(List.of(contains), true, sole && used == 1 && operand.members.containsKey("$contains"));
        }
        return NONE;
    }

    private static IndexRanges equal(List<Value> values, boolean element, boolean sole) {
        TreeSet<Value> distinct = new TreeSet<>(values);
        List<IndexKey[]> ranges = new ArrayList<>();
        for (Value v : distinct) {
            ranges.add(new IndexKey[] {IndexKey.bound(element, v, -1), IndexKey.bound(element, v, 1)});
        }
        return new IndexRanges(ranges, true, sole);
    }

    private static IndexKey max(IndexKey a, IndexKey b) {
        return a == null || IndexKey.ORDER.compare(b, a) > 0 ? b : a;
    }

    private static IndexKey min(IndexKey a, IndexKey b) {
        return a == null || IndexKey.ORDER.compare(b, a) < 0 ? b : a;
    }

    /** The bound before every value of {@code kind}'s type (booleans are one type). */
    private static IndexKey typeStart(Kind kind) {
        return switch (kind) {
            case NULL -> IndexKey.bound(false, Value.NULL, -1);
            case FALSE, TRUE -> IndexKey.bound(false, Value.FALSE, -1);
            case NUMBER -> IndexKey.bound(false, Value.TRUE, 1);
            case STRING -> IndexKey.bound(false, Value.string(""), -1);
            case ARRAY -> IndexKey.bound(false, Value.array(List.of()), -1);
            case OBJECT -> IndexKey.bound(false, Value.object(new java.util.TreeMap<>()), -1);
        };
    }

    /** The bound after every value of {@code kind}'s type. */
    private static IndexKey typeEnd(Kind kind) {
        return switch (kind) {
            case NULL -> IndexKey.bound(false, Value.NULL, 1);
            case FALSE, TRUE -> IndexKey.bound(false, Value.TRUE, 1);
            case NUMBER -> IndexKey.bound(false, Value.string(""), -1);
            case STRING -> IndexKey.bound(false, Value.array(List.of()), -1);
            case ARRAY -> IndexKey.bound(false, Value.object(new java.util.TreeMap<>()), -1);
            case OBJECT -> IndexKey.everything(false)[1];
        };
    }

    /** Whether the selector constrains the pointer in a way an index narrows. */
    public boolean usable() {
        return ranges != null;
    }

    /** The ranges [from, to] to walk, in index order; empty when nothing can match. */
    public List<IndexKey[]> ranges() {
        return ranges;
    }

    /** Whether each range holds one value (so a one-pointer index holds it in name order). */
    public boolean equalities() {
        return equalities;
    }

    /** Whether the selector is this one condition alone, so the index's entries are the matches. */
    public boolean sole() {
        return sole;
    }
}
