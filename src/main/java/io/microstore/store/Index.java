package io.microstore.store;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The committed state, name to entry, sorted by name. Only the worker writes it, and only with
 * mutations that are already durable; readers use it directly without waiting for the worker.
 */
public final class Index {
    private final ConcurrentSkipListMap<String, Entry> map = new ConcurrentSkipListMap<>(Names.ORDER);
    // ConcurrentSkipListMap.size() walks the whole map; the single writer keeps the count instead.
    private volatile int size;

    public Entry get(String name) {
        return map.get(name);
    }

    public int size() {
        return size;
    }

    /**
     * Up to {@code limit} entries whose names start with {@code prefix} and sort after {@code after}
     * (exclusive; null or empty for the start).
     */
    public Page list(String prefix, String after, int limit) {
        boolean pastPrefix = after != null && !after.isEmpty() && Names.ORDER.compare(after, prefix) >= 0;
        NavigableMap<String, Entry> tail = pastPrefix ? map.tailMap(after, false) : map.tailMap(prefix, true);
        List<Map.Entry<String, Entry>> items = new ArrayList<>(Math.min(limit, 256));
        for (Map.Entry<String, Entry> e : tail.entrySet()) {
            if (!e.getKey().startsWith(prefix)) {
                break;
            }
            if (items.size() == limit) {
                return new Page(items, true);
            }
            items.add(e);
        }
        return new Page(items, false);
    }

    /** A weakly consistent view of every entry in name order (for snapshots and export). */
    public Collection<Map.Entry<String, Entry>> entries() {
        return map.entrySet();
    }

    void put(String name, Entry entry) {
        if (map.put(name, entry) == null) {
            size++;
        }
    }

    void remove(String name) {
        if (map.remove(name) != null) {
            size--;
        }
    }

    void clear() {
        map.clear();
        size = 0;
    }

    void apply(Mutation m) {
        if (m.op() == Op.PUT) {
            put(m.name(), new Entry(m.data(), m.seq()));
        } else {
            remove(m.name());
        }
    }
}
