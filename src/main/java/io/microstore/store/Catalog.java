package io.microstore.store;

import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.BiConsumer;

/**
 * The store's own records ({@link Reserved} names), beside the apps: kind (a prefix) to id to entry. Written only
 * by the commit stream, like the {@link Index}; whoever listens hears each put (the entry) and delete (null).
 */
final class Catalog {
    private final ConcurrentSkipListMap<String, Entry> records = new ConcurrentSkipListMap<>(Names.ORDER);
    private BiConsumer<String, Entry> listener = (name, entry) -> {};

    /** Adds {@code listener} to those that hear every put and delete. */
    void listen(BiConsumer<String, Entry> listener) {
        this.listener = this.listener.andThen(listener);
    }

    Entry get(String name) {
        return records.get(name);
    }

    void put(String name, Entry entry) {
        records.put(name, entry);
        listener.accept(name, entry);
    }

    void remove(String name) {
        if (records.remove(name) != null) {
            listener.accept(name, null);
        }
    }

    /** The records of one kind ({@code prefix}, e.g. {@link Reserved#INDEX}), by full name. */
    NavigableMap<String, Entry> kind(String prefix) {
        String end = prefix.substring(0, prefix.length() - 1) + (char) (prefix.charAt(prefix.length() - 1) + 1);
        return records.subMap(prefix, true, end, false);
    }

    /** Every record in name order (they sort before every app name). */
    Iterable<Map.Entry<String, Entry>> all() {
        return records.entrySet();
    }
}
