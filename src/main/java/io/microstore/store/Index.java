package io.microstore.store;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.SortedMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.StampedLock;

/**
 * The committed state, name to entry. Only the engine's commit stream writes it, and only with
 * mutations that are already durable; readers use it directly without waiting for the engine.
 *
 * <p>Each name has one slot holding its current entry, reachable two ways: by a hash map, for
 * lookups, which stay a couple of cache misses at a million apps where a skip list takes twenty; and
 * by a skip list in name order, for listing and snapshots. Replacing a value only swaps the slot's
 * entry, so the skip list is touched only when a name is created or deleted.
 *
 * <p>It also counts the heap its entries take ({@link #bytes}), for the store's memory quota: each
 * value's bytes plus, per app, its name and {@link #APP_OVERHEAD}.
 *
 * <p>The changes of one transaction are applied together ({@link #together}) under a {@link StampedLock}'s
 * write lock, and every read ({@link #get}, {@link #list}) is an optimistic read of that lock, validated
 * (and repeated under the read lock when a transaction was applied meanwhile): no reader sees part of a
 * transaction. A single change needs no lock (it swaps one slot), so a GET costs two volatile reads more.
 * {@link #entries} (snapshots and export) stays weakly consistent and may see part of one.
 */
public final class Index {
    /**
     * Heap bytes one app takes besides its value's bytes and its name's characters: the hash map's node
     * and table slot, the skip list's node and its share of index nodes, the slot, the entry, the value's
     * array header and the name's String, and the changes feed's record of the app's last change while
     * the window holds it. Measured on a 64-bit JVM (compressed oops, JDK 25) with 12-character names
     * and 1-byte values: 201 bytes per app at a million apps, 245 at 100,000 (all still in the feed's
     * window), of which 13 are the name and value.
     */
    public static final long APP_OVERHEAD = 240;

    /*
     * Both maps are replaced once, when a first load's names restored in order go in at once ({@link #settle});
     * no reader runs before the first load has ended.
     */
    private ConcurrentHashMap<String, Slot> byName = new ConcurrentHashMap<>();
    private ConcurrentSkipListMap<String, Slot> sorted = new ConcurrentSkipListMap<>(Names.ORDER);
    /**
     * Names (and their slots) restored in ascending order into an empty index, not yet in either map (see
     * {@link #restoreInOrder}); null when none are waiting. Commit stream's thread only.
     */
    private ArrayList<String> inOrderNames;
    private ArrayList<Slot> inOrderSlots;
    private final AtomicLong bytes = new AtomicLong(); // written by the commit stream's thread only
    private final StampedLock txnLock = new StampedLock(); // held for writing while a transaction is applied
    /** Optimistic tries of a listing before it takes the read lock (and holds transactions back meanwhile). */
    private static final int OPTIMISTIC_LISTINGS = 2;

    /** A name's current entry; null once the name is deleted. */
    private static final class Slot {
        private volatile Entry entry;

        Slot(Entry entry) {
            this.entry = entry;
        }
    }

    /** The current entry of {@code name}, or null; never part of a transaction. */
    public Entry get(String name) {
        long stamp = txnLock.tryOptimisticRead();
        Entry entry = peek(name);
        if (txnLock.validate(stamp)) {
            return entry;
        }
        stamp = txnLock.readLock();
        try {
            return peek(name);
        } finally {
            txnLock.unlockRead(stamp);
        }
    }

    /** The current entry without the transaction check: for the commit stream's own thread (which applies them). */
    Entry peek(String name) {
        settle();
        Slot slot = byName.get(name);
        return slot == null ? null : slot.entry;
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
        for (int attempt = 0; attempt < OPTIMISTIC_LISTINGS; attempt++) {
            long stamp = txnLock.tryOptimisticRead();
            Page page = listNow(prefix, after, limit);
            if (txnLock.validate(stamp)) {
                return page;
            }
        }
        long stamp = txnLock.readLock();
        try {
            return listNow(prefix, after, limit);
        } finally {
            txnLock.unlockRead(stamp);
        }
    }

    private Page listNow(String prefix, String after, int limit) {
        boolean pastPrefix = after != null && !after.isEmpty() && Names.ORDER.compare(after, prefix) >= 0;
        NavigableMap<String, Slot> tail = pastPrefix ? sorted.tailMap(after, false) : sorted.tailMap(prefix, true);
        List<Map.Entry<String, Entry>> items = new ArrayList<>(Math.min(limit, 256));
        for (Map.Entry<String, Entry> e : entries(tail)) {
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
    public Iterable<Map.Entry<String, Entry>> entries() {
        settle();
        return entries(sorted);
    }

    /**
     * A first load's restore of a name that sorts after every name in the index, which a snapshot's names
     * all do: kept aside, with the others that follow in order, and put into both maps at once when
     * anything else happens ({@link #settle}), the hash map sized once for all of them and the skip list
     * linked in one pass without a search. At a million apps that takes a fifth off the load, which
     * otherwise spends it growing the hash map step by step and searching the skip list for each name.
     * For the commit stream's thread before anyone reads the index.
     *
     * @return false, with nothing done, when the index holds a name that sorts at or after {@code name}
     */
    boolean restoreInOrder(String name, Entry entry) {
        if (inOrderNames == null) {
            if (!byName.isEmpty()) {
                return false;
            }
            inOrderNames = new ArrayList<>();
            inOrderSlots = new ArrayList<>();
        } else if (Names.ORDER.compare(inOrderNames.getLast(), name) >= 0) {
            return false;
        }
        inOrderNames.add(name);
        inOrderSlots.add(new Slot(entry));
        bytes.addAndGet(cost(name, entry.data()));
        return true;
    }

    /** Puts the names {@link #restoreInOrder} kept aside into both maps. For the commit stream's thread. */
    void settle() {
        if (inOrderNames == null) {
            return;
        }
        SortedMap<String, Slot> run = new InOrder(inOrderNames, inOrderSlots);
        inOrderNames = null;
        inOrderSlots = null;
        byName = new ConcurrentHashMap<>(run.size()); // its table sized once for all of them
        byName.putAll(run);
        sorted = new ConcurrentSkipListMap<>(run); // linked in one pass: their order is known
    }

    void put(String name, Entry entry) {
        settle();
        Slot slot = byName.get(name);
        if (slot != null) {
            Entry old = slot.entry;
            slot.entry = entry;
            bytes.addAndGet(entry.data().length - (old == null ? 0 : old.data().length));
            return;
        }
        bytes.addAndGet(cost(name, entry.data()));
        slot = new Slot(entry);
        sorted.put(name, slot);
        byName.put(name, slot);
    }

    void remove(String name) {
        settle();
        Slot slot = byName.remove(name);
        if (slot != null) {
            bytes.addAndGet(-cost(name, slot.entry.data()));
            slot.entry = null;
            sorted.remove(name);
        }
    }

    /**
     * Runs {@code changes} (the applying of one transaction's changes) so that no {@link #get} or
     * {@link #list} sees part of it. On the commit stream's thread, which must use {@link #peek} inside.
     */
    void together(Runnable changes) {
        settle();
        long stamp = txnLock.writeLock();
        try {
            changes.run();
        } finally {
            txnLock.unlockWrite(stamp);
        }
    }

    void apply(Mutation m) {
        if (m.op() == Op.PUT) {
            put(m.name(), new Entry(m.data(), m.seq(), m.expires()));
        } else {
            remove(m.name());
        }
    }

    /** The slots of {@code map} as name → entry, skipping names deleted while iterating. */
    private static Iterable<Map.Entry<String, Entry>> entries(NavigableMap<String, Slot> map) {
        return () -> new Iterator<>() {
            private final Iterator<Map.Entry<String, Slot>> slots = map.entrySet().iterator();
            private Map.Entry<String, Entry> next = advance();

            private Map.Entry<String, Entry> advance() {
                while (slots.hasNext()) {
                    Map.Entry<String, Slot> e = slots.next();
                    Entry entry = e.getValue().entry;
                    if (entry != null) {
                        return new AbstractMap.SimpleImmutableEntry<>(e.getKey(), entry);
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

    /**
     * Names in strictly ascending order with their slots, as the sorted map the skip list's and the hash
     * map's bulk constructors read: they take only its comparator, size and entries.
     */
    private static final class InOrder extends AbstractMap<String, Slot> implements SortedMap<String, Slot> {
        private final List<String> names;
        private final List<Slot> slots;

        InOrder(List<String> names, List<Slot> slots) {
            this.names = names;
            this.slots = slots;
        }

        @Override
        public Comparator<? super String> comparator() {
            return Names.ORDER;
        }

        @Override
        public Set<Map.Entry<String, Slot>> entrySet() {
            return new AbstractSet<>() {
                @Override
                public Iterator<Map.Entry<String, Slot>> iterator() {
                    return new Iterator<>() {
                        private int next;

                        @Override
                        public boolean hasNext() {
                            return next < names.size();
                        }

                        @Override
                        public Map.Entry<String, Slot> next() {
                            if (next == names.size()) {
                                throw new NoSuchElementException();
                            }
                            int i = next++;
                            return new AbstractMap.SimpleImmutableEntry<>(names.get(i), slots.get(i));
                        }
                    };
                }

                @Override
                public int size() {
                    return names.size();
                }
            };
        }

        @Override
        public String firstKey() {
            return names.getFirst();
        }

        @Override
        public String lastKey() {
            return names.getLast();
        }

        @Override
        public SortedMap<String, Slot> subMap(String from, String to) {
            throw new UnsupportedOperationException();
        }

        @Override
        public SortedMap<String, Slot> headMap(String to) {
            throw new UnsupportedOperationException();
        }

        @Override
        public SortedMap<String, Slot> tailMap(String from) {
            throw new UnsupportedOperationException();
        }
    }
}
