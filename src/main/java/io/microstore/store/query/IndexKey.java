package io.microstore.store.query;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import io.microstore.json.CodePoints;

/**
 * One entry of a secondary index, or a bound between entries. An entry is an app's values at the index's
 * pointers (missing kept as missing) and its name, in the total order of values and then by name; a whole
 * entry holds the values themselves (it serves equality, ranges and ordering), an element entry holds one
 * distinct element of an array at the first pointer (it serves {@code $contains} and {@code $all}). The two
 * kinds sort apart (whole first), so a walk of one never meets the other. A bound holds leading values only
 * and sorts before ({@code -1}) or after ({@code +1}) every entry that begins with them.
 */
public final class IndexKey {
    /** Entries and bounds in index order. */
    public static final Comparator<IndexKey> ORDER = IndexKey::compare;

    private final boolean element;
    private final Value[] values; // null: missing
    private final String name; // null in a bound
    private final int side; // 0 in an entry

    private IndexKey(boolean element, Value[] values, String name, int side) {
        this.element = element;
        this.values = values;
        this.name = name;
        this.side = side;
    }

    /**
     * The entries of app {@code name} whose data is {@code data} in an index on {@code paths} : one whole entry, and one element entry per distinct element of an array at the first pointer.
     */
    public static List<IndexKey> entries(IndexPaths paths, String name, byte[] data) {
        Value[] values = new Value[paths.size()];
        for (int i = 0; i < values.length; i++) {
            long found = Bytes.find(data, 0, data.length, paths.paths.get(i));
            values[i] = found == Bytes.MISSING ? null : Value.read(data, (int) (found >>> 32), (int) found);
        }
        IndexKey whole = new IndexKey(false, values, name, 0);
        if (values[0] == null || values[0].kind != Kind.ARRAY || values[0].items.isEmpty()) {
            return List.of(whole);
        }
        Set<Value> distinct = new LinkedHashSet<>(values[0].items);
        List<IndexKey> all = new ArrayList<>(distinct.size() + 1);
        all.add(whole);
        for (Value e : distinct) {
            all.add(new IndexKey(true, new Value[] {e}, name, 0));
        }
        return all;
    }

    public String name() {
        return name;
    }

    public boolean element() {
        return element;
    }

    /** The whole entry's values as a sort key of an order on the index's first {@code n} pointers. */
    public SortKey sortKey(int n) {
        return new SortKey(Arrays.copyOf(values, n));
    }

    /** The bound before ({@code side} -1) or after (+1) every whole entry whose leading values are {@code key}'s. */
    public static IndexKey bound(SortKey key, int n, int side) {
        Value[] values = new Value[n];
        for (int i = 0; i < n; i++) {
            values[i] = key.value(i);
        }
        return new IndexKey(false, values, null, side);
    }

    /** The whole entry of {@code name} at {@code key}'s values (a cursor's position). */
    public static IndexKey at(SortKey key, int n, String name) {
        Value[] values = new Value[n];
        for (int i = 0; i < n; i++) {
            values[i] = key.value(i);
        }
        return new IndexKey(false, values, name, 0);
    }

    /** The entry of {@code name} at this bound's values (a position to walk on from). */
    public IndexKey withName(String name) {
        return new IndexKey(element, values, name, 0);
    }

    /** The bounds of every entry of the given kind: [first, last]. */
    public static IndexKey[] everything(boolean element) {
        return new IndexKey[] {
            new IndexKey(element, new Value[0], null, -1), new IndexKey(element, new Value[0], null, 1)
        };
    }

    /** The bound before ({@code side} -1) or after (+1) every whole entry that begins with {@code values}. */
    static IndexKey bound(Value[] values, int side) {
        return new IndexKey(false, values.clone(), null, side);
    }

    static IndexKey bound(boolean element, Value v, int side) {
        return new IndexKey(element, new Value[] {v}, null, side);
    }

    private static int compare(IndexKey a, IndexKey b) {
        if (a.element != b.element) {
            return a.element ? 1 : -1;
        }
        int n = Math.min(a.values.length, b.values.length);
        for (int i = 0; i < n; i++) {
            int c = SortKey.compare(a.values[i], b.values[i]);
            if (c != 0) {
                return c;
            }
        }
        if (a.side == 0 && b.side == 0) {
            if (a.name == null || b.name == null) {
                return a.name == b.name ? 0 : a.name == null ? -1 : 1;
            }
            return CodePoints.compare(a.name, b.name);
        }
        if (a.side != b.side) {
            return Integer.compare(a.side, b.side);
        }
        // Two bounds on the same side: the shorter one holds the longer one within it.
        return a.side * Integer.compare(b.values.length, a.values.length);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IndexKey k && compare(this, k) == 0 && side == k.side;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(values) * 31 + (element ? 1 : 0) + (name == null ? 0 : name.hashCode());
    }
}
