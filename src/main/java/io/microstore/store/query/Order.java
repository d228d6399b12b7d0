package io.microstore.store.query;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The order of a listing: pointers into the data, each ascending or (prefixed by "-") descending, in the total order
 * of values (missing < null < false < true < numbers < strings < arrays < objects). The name is not part of it: the
 * caller breaks ties by name. Immutable and thread-safe.
 */
public final class Order {
    /** Most pointers in one order. */
    public static final int MAX_KEYS = 16;

    private static final Order BY_NAME = new Order(List.of(), new boolean[0]);

    private final List<Path> paths;
    private final boolean[] descending;
    private final Comparator<SortKey> comparator;

    private Order(List<Path> paths, boolean[] descending) {
        this.paths = paths;
        this.descending = descending;
        this.comparator = (a, b) -> {
            for (int i = 0; i < paths.size(); i++) {
                int c = SortKey.compare(a.value(i), b.value(i));
                if (c != 0) {
                    return descending[i] ? -c : c;
                }
            }
            return 0;
        };
    }

    public static Order byName() {
        return BY_NAME;
    }

    /**
     * Parses {@code "/priority,-/created"}: pointers separated by commas, each optionally prefixed by "-" for
     * descending; null or "" orders by name only.
     *
     * @throws BadQuery naming the item that is not a pointer
     */
    public static Order parse(String order) {
        if (order == null || order.isEmpty()) {
            return BY_NAME;
        }
        return of(List.of(order.split(",", -1)));
    }

    /** The same from a list of items (as a JSON body gives them), each {@code "/p"} or {@code "-/p"}. */
    public static Order of(List<String> items) {
        if (items.isEmpty()) {
            return BY_NAME;
        }
        if (items.size() > MAX_KEYS) {
            throw new BadQuery("order: " + items.size() + " pointers, more than the " + MAX_KEYS + " it may have");
        }
        List<Path> paths = new ArrayList<>();
        boolean[] descending = new boolean[items.size()];
        for (int i = 0; i < items.size(); i++) {
            String item = items.get(i);
            descending[i] = item.startsWith("-");
            String pointer = descending[i] ? item.substring(1) : item;
            if (!pointer.startsWith("/")) {
                throw new BadQuery(
                        "order: \"" + item + "\" is not a JSON Pointer (\"/...\") optionally" + " prefixed by \"-\"");
            }
            paths.add(Path.parse(pointer, "order"));
        }
        return new Order(List.copyOf(paths), descending);
    }

    public boolean byNameOnly() {
        return paths.isEmpty();
    }

    int size() {
        return paths.size();
    }

    /** The values of one app at this order's pointers (a missing one kept as missing). */
    public SortKey key(byte[] data) {
        Value[] values = new Value[paths.size()];
        for (int i = 0; i < values.length; i++) {
            long found = Bytes.find(data, 0, data.length, paths.get(i));
            values[i] = found == Bytes.MISSING ? null : Value.read(data, (int) (found >>> 32), (int) found);
        }
        return new SortKey(values);
    }

    /** The total order of keys, each pointer ascending or descending; not the name. */
    public Comparator<SortKey> comparator() {
        return comparator;
    }

    /** The order's JSON Pointers as written, without their direction (what an index on them would list). */
    public List<String> pointers() {
        return paths.stream().map(Path::text).toList();
    }

    /** Whether the {@code i}th pointer sorts descending (written with a "-" before it). */
    public boolean descending(int i) {
        return descending[i];
    }

    /** {@code "/a,-/b"}: one text per order, to bind a cursor to it. */
    public String canonical() {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < paths.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            out.append(descending[i] ? "-" : "").append(paths.get(i).text());
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return canonical();
    }
}
