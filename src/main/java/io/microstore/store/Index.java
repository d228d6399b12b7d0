package io.microstore.store;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.StampedLock;
import java.util.function.Supplier;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import io.microstore.commit.Change;

/**
 * The committed state, name to entry. Only the engine's commit stream writes it, and only with
 * commits that are already durable; readers use it directly without waiting for the engine.
 *
 * <p>Each name's current entry is in a hash map, for lookups, which stay a couple of cache misses at a
 * million apps where a skip list takes twenty; the names alone are also in a skip list in name order, for
 * listing and snapshots, which look each entry up by name. Replacing a value only swaps the hash map's
 * entry, so the skip list is touched only when a name is created or deleted.
 *
 * <p>It also counts the heap its entries take ({@link #bytes}), for the store's memory quota: each
 * value's bytes plus, per app, its name and {@link #APP_OVERHEAD}.
 *
 * <p>The changes of one transaction are applied together ({@link #together}) under a {@link StampedLock}'s
 * write lock, and every read ({@link #get}, {@link #list}) is an optimistic read of that lock, validated
 * (and repeated under the read lock when a transaction was applied meanwhile): no reader sees part of a
 * transaction. A single change needs no lock (it swaps one entry), so a GET costs two volatile reads more.
 * {@link #entries} (snapshots and export) stays weakly consistent and may see part of one.
 */
public final class Index {
    /**
     * Heap bytes one app takes besides its value's bytes and its name's characters: the hash map's node
     * and table slot, the skip list's node and its share of index nodes, the entry, the value's
     * array header and the name's String, and the changes feed's record of the app's last change while
     * the window holds it. Measured on a 64-bit JVM (compressed oops, JDK 25) with 12-character names
     * and 1-byte values: 201 bytes per app at a million apps, 245 at 100,000 (all still in the feed's
     * window), of which 13 are the name and value; 16 bytes less since a slot between the maps went
     * (heap after a full GC with a million apps, 236 MB before, 221 MB after).
     */
    public static final long APP_OVERHEAD = 240;

    /*
     * Both maps are replaced once, when a first load's names restored in order go in at once ({@link #settle});
     * no reader runs before the first load has ended.
     */
    private ConcurrentHashMap<String, Entry> byName = new ConcurrentHashMap<>();
    private ConcurrentSkipListMap<String, Boolean> sorted = new ConcurrentSkipListMap<>(Names.ORDER);
    /** A first load's names restored in order, not yet in either map; null when none are waiting. Commit stream's thread only. */
    private InOrderLoad firstLoad;

    private final AtomicLong bytes = new AtomicLong(); // written by the commit stream's thread only
    /** The store's own records (reserved names): never among the apps, their count, bytes or listings. */
    final Catalog catalog = new Catalog();
    /** The secondary indexes, kept in the same step as the apps; null when nobody maintains any. */
    private Indexes indexes;

    private final StampedLock txnLock = new StampedLock(); // held for writing while a transaction is applied
    /** Optimistic tries of a listing before it takes the read lock (and holds transactions back meanwhile). */
    private static final int OPTIMISTIC_LISTINGS = 2;

    /** The current entry of {@code name}, or null; never part of a transaction. */
    public Entry get(String name) {
        if (Reserved.is(name)) { // the engine's question about a record of the store's own
            return catalog.get(name);
        }
        long stamp = txnLock.tryOptimisticRead();
        Entry entry = byName.get(name);
        if (txnLock.validate(stamp)) {
            return entry;
        }
        stamp = txnLock.readLock();
        try {
            return byName.get(name);
        } finally {
            txnLock.unlockRead(stamp);
        }
    }

    /**
     * The current entry without the transaction check, for the commit stream's own thread (which applies
     * transactions, so never sees part of one), after putting a first load's names in place.
     */
    Entry peek(String name) {
        if (Reserved.is(name)) {
            return catalog.get(name);
        }
        settle();
        return byName.get(name);
    }

    public int size() {
        return byName.size();
    }

    /** Heap bytes the entries take as counted for the quota: values, names and {@link #APP_OVERHEAD} each. */
    public long bytes() {
        return bytes.get();
    }

    /** What storing {@code data} under a new {@code name} adds to {@link #bytes}. */
    static long cost(String name, byte[] data) {
        return APP_OVERHEAD + name.length() + data.length;
    }

    /**
     * Up to {@code limit} entries whose names start with {@code prefix} and sort after {@code after}
     * (exclusive; null or empty for the start).
     */
    public Page list(String prefix, String after, int limit) {
        return list(prefix, after, limit, Scope.ALL);
    }

    /** {@link #list(String, String, int)} of the names {@code scope} may read only. */
    Page list(String prefix, String after, int limit, Scope scope) {
        for (int attempt = 0; attempt < OPTIMISTIC_LISTINGS; attempt++) {
            long stamp = txnLock.tryOptimisticRead();
            Page page = listNow(prefix, after, limit, scope);
            if (txnLock.validate(stamp)) {
                return page;
            }
        }
        long stamp = txnLock.readLock();
        try {
            return listNow(prefix, after, limit, scope);
        } finally {
            txnLock.unlockRead(stamp);
        }
    }

    /**
     * Runs {@code read} (a walk over {@link #from}, the secondary indexes) so that it sees no part of a
     * transaction, as {@link #list} does: optimistically, and again under the read lock when a transaction was
     * applied meanwhile. A structure only its writer may change in place ({@link CountedKeys}) can be half-changed
     * under an optimistic read and make it throw: that throw, when a write did happen meanwhile, is the same
     * wasted try as a wrong answer.
     */
    <T> T whole(Supplier<T> read) {
        for (int attempt = 0; attempt < OPTIMISTIC_LISTINGS; attempt++) {
            long stamp = txnLock.tryOptimisticRead();
            T result;
            try {
                result = read.get();
            } catch (RuntimeException raced) {
                if (txnLock.validate(stamp)) {
                    throw raced; // nothing was written meanwhile: a refusal (or a fault) of the read itself
                }
                continue;
            }
            if (txnLock.validate(stamp)) {
                return result;
            }
        }
        long stamp = txnLock.readLock();
        try {
            return read.get();
        } finally {
            txnLock.unlockRead(stamp);
        }
    }

    /**
     * The entries whose names sort after {@code after} (exclusive; null for the start) from {@code prefix} on,
     * in name order; the caller stops at the first name without the prefix.
     */
    Iterable<Map.Entry<String, Entry>> from(String prefix, String after) {
        boolean pastPrefix = after != null && Names.ORDER.compare(after, prefix) >= 0;
        return entries((pastPrefix ? sorted.tailMap(after, false) : sorted.tailMap(prefix, true)).keySet());
    }

    /** The entries whose names sort at or after {@code first}, in name order: a walk seeks with it past a run of names. */
    Iterable<Map.Entry<String, Entry>> at(String first) {
        return entries(sorted.tailMap(first, true).keySet());
    }

    private Page listNow(String prefix, String after, int limit, Scope scope) {
        boolean pastPrefix = after != null && !after.isEmpty() && Names.ORDER.compare(after, prefix) >= 0;
        NavigableMap<String, Boolean> tail = pastPrefix ? sorted.tailMap(after, false) : sorted.tailMap(prefix, true);
        List<Map.Entry<String, Entry>> items = new ArrayList<>(Math.min(limit, 256));
        for (Map.Entry<String, Entry> e : entries(tail.keySet())) {
            if (!e.getKey().startsWith(prefix)) {
                break;
            }
            if (!scope.mayRead(e.getKey())) {
                continue;
            }
            if (items.size() == limit) {
                return new Page(items, true);
            }
            items.add(e);
        }
        return new Page(items, false);
    }

    /** A weakly consistent view of every app in name order (for export; no record of the store's own). */
    public Iterable<Map.Entry<String, Entry>> entries() {
        return entries(sorted.keySet());
    }

    /**
     * Every durable record, the store's own ({@link Reserved}) first and then every app, in name order: what a
     * snapshot keeps. Weakly consistent, as {@link #entries}.
     */
    public Iterable<Map.Entry<String, Entry>> records() {
        Iterable<Map.Entry<String, Entry>> own = catalog.all();
        Iterable<Map.Entry<String, Entry>> apps = entries();
        return () -> Stream.concat(
                        StreamSupport.stream(own.spliterator(), false), StreamSupport.stream(apps.spliterator(), false))
                .iterator();
    }

    /** Keeps {@code indexes} in the same step as the apps from now on; they hear the catalog's index records. */
    void maintain(Indexes indexes) {
        this.indexes = indexes;
        catalog.listen(indexes::record);
    }

    /** The current entry without any check, inside {@link #together} or {@link #whole}. */
    Entry current(String name) {
        return byName.get(name);
    }

    /**
     * A first load's restore of a name that sorts after every name restored before, into an index that
     * was empty: kept aside ({@link InOrderLoad}) until anything else happens ({@link #settle}). For the
     * commit stream's thread before anyone reads the index.
     *
     * @return false, with nothing done, when the index holds names already or {@code name} is out of order
     */
    boolean restoreInOrder(String name, Entry entry) {
        if (Reserved.is(name)) {
            return false;
        }
        if (firstLoad == null) {
            if (!byName.isEmpty()) {
                return false;
            }
            firstLoad = new InOrderLoad();
        }
        if (!firstLoad.add(name, entry)) {
            return false;
        }
        bytes.addAndGet(cost(name, entry.data()));
        return true;
    }

    /**
     * Puts the names {@link #restoreInOrder} kept aside into both maps. For the commit stream's thread: its
     * own calls here do it first, and it calls this at the end of a load, before anyone reads.
     */
    void settle() {
        if (firstLoad != null) {
            InOrderLoad load = firstLoad;
            firstLoad = null;
            byName = load.byName();
            sorted = load.sorted();
        }
    }

    void put(String name, Entry entry) {
        if (Reserved.is(name)) {
            catalog.put(name, entry);
            return;
        }
        settle();
        Entry old = byName.put(name, entry);
        if (indexes != null && indexes.any()) {
            indexes.changed(name, old, entry);
        }
        if (old != null) {
            bytes.addAndGet(entry.data().length - old.data().length);
            return;
        }
        bytes.addAndGet(cost(name, entry.data()));
        sorted.put(name, Boolean.TRUE);
    }

    void remove(String name) {
        if (Reserved.is(name)) {
            catalog.remove(name);
            return;
        }
        settle();
        Entry old = byName.remove(name);
        if (old != null && indexes != null && indexes.any()) {
            indexes.changed(name, old, null);
        }
        if (old != null) {
            bytes.addAndGet(-cost(name, old.data()));
            sorted.remove(name);
        }
    }

    /**
     * Runs {@code changes} (the applying of one transaction's changes) so that no {@link #get} or
     * {@link #list} sees part of it. On the commit stream's thread, which must use {@link #peek} inside.
     */
    void together(Runnable changes) {
        long stamp = txnLock.writeLock();
        try {
            changes.run();
        } finally {
            txnLock.unlockWrite(stamp);
        }
    }

    /** Applies {@code change}, committed at {@code seq}. */
    void apply(long seq, Change change) {
        if (change.isDelete()) {
            remove(change.name());
        } else {
            put(change.name(), new Entry(change.data(), seq, change.expires()));
        }
    }

    /** The current entries of {@code names}, in their order, skipping names deleted while iterating. */
    private Iterable<Map.Entry<String, Entry>> entries(Set<String> names) {
        ConcurrentHashMap<String, Entry> entries = byName;
        return () -> new Iterator<>() {
            private final Iterator<String> ahead = names.iterator();
            private Map.Entry<String, Entry> next = advance();

            private Map.Entry<String, Entry> advance() {
                while (ahead.hasNext()) {
                    String name = ahead.next();
                    Entry entry = entries.get(name);
                    if (entry != null) {
                        return new AbstractMap.SimpleImmutableEntry<>(name, entry);
                    }
                }
                return null;
            }

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public Map.Entry<String, Entry> next() {
                if (next == null) {
                    throw new NoSuchElementException();
                }
                Map.Entry<String, Entry> current = next;
                next = advance();
                return current;
            }
        };
    }
}
