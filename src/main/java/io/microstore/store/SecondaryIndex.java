package io.microstore.store;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import io.microstore.store.query.IndexKey;
import io.microstore.store.query.IndexPaths;

/**
 * One secondary index: its entries ({@link IndexKey}: the values at its pointers, then the name; whole values and
 * array elements apart) in one {@link CountedKeys} tree, which serves the walks and counts the entries between
 * two keys (an equality, a range, a prefix) in O(log n). One structure, not a skip list for walks beside it: a
 * write with indexes pays one descent per changed entry, not two. Written by the commit stream (in the same step
 * as the {@link Index}, under its write lock) and by its builder (under the same lock); read only under
 * {@link Index#whole}, which throws away a read that met a change (the tree is changed in place).
 */
final class SecondaryIndex {
    final String id;
    final List<String> paths;
    final IndexPaths shape;
    private final CountedKeys counted = new CountedKeys();
    private final AtomicLong entries = new AtomicLong();
    private volatile boolean ready;
    private volatile boolean dropped;

    SecondaryIndex(String id, List<String> paths) {
        this.id = id;
        this.paths = List.copyOf(paths);
        this.shape = IndexPaths.parse(paths);
    }

    /** {@code name}'s value went from {@code old} to {@code now} (either null: absent). */
    void changed(String name, byte[] old, byte[] now) {
        List<IndexKey> before = old == null ? List.of() : IndexKey.entries(shape, name, old);
        List<IndexKey> after = now == null ? List.of() : IndexKey.entries(shape, name, now);
        if (before.equals(after)) {
            return; // the indexed values did not change
        }
        before.forEach(this::remove);
        after.forEach(this::add);
    }

    /** Adds the entries of {@code name} at {@code data} (the builder; a second add of one entry does nothing). */
    void add(String name, byte[] data) {
        IndexKey.entries(shape, name, data).forEach(this::add);
    }

    private void add(IndexKey key) {
        if (counted.add(key)) {
            entries.incrementAndGet();
        }
    }

    private void remove(IndexKey key) {
        if (counted.remove(key)) {
            entries.decrementAndGet();
        }
    }

    /** The entries from {@code from} to {@code to} (bounds or entries, both inclusive), ascending or descending. */
    Iterable<IndexKey> range(IndexKey from, IndexKey to, boolean descending) {
        if (IndexKey.ORDER.compare(from, to) > 0) {
            return List.of();
        }
        return counted.range(from, to, descending);
    }

    /** How many entries the ranges [from, to] (bounds or entries, both inclusive; none overlapping) hold. */
    long count(List<IndexKey[]> ranges) {
        long total = 0;
        for (IndexKey[] range : ranges) {
            total += counted.count(range[0], range[1]);
        }
        return total;
    }

    long entries() {
        return entries.get();
    }

    boolean ready() {
        return ready;
    }

    void ready(boolean ready) {
        this.ready = ready;
    }

    boolean dropped() {
        return dropped;
    }

    void drop() {
        dropped = true;
        ready = false;
    }

    IndexInfo info() {
        return new IndexInfo(id, paths, ready ? "ready" : "building", entries.get());
    }
}
