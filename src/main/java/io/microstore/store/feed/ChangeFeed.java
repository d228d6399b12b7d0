package io.microstore.store.feed;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Phaser;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Predicate;
import java.util.function.Supplier;

import io.microstore.store.Mutation;
import io.microstore.threads.EssentialThread;

/**
 * The changes feed: the store's consumer of the commit stream that keeps a bounded window of the most
 * recent seqs (by count, and by bytes of values), for any number of clients to read at their own pace
 * and resume by seq. After a restart the window is rebuilt from the changes replayed at load.
 *
 * <p>A seq holds all its changes: one, or all of a transaction's. They enter the window together, leave
 * it together, and a {@link #read} never splits them (a page may go over its limit to end a seq), so
 * whoever resumes after a seq never misses part of one.
 *
 * <p>The engine's thread only drops mutations into a ring and pokes a dispatcher thread, which wakes
 * the waiting clients: a slow or numerous audience never slows writes down. A client that falls out of
 * the window gets {@link FeedGone} on its next read instead of holding memory for it. Every client
 * that waits for a change (long-poll, SSE, app watch) waits through one {@link Waiter}.
 *
 * <p>For the store's memory quota it counts the heap it holds beyond the index ({@link #heldBytes}): a
 * retained change whose value is still the app's current one shares that value's bytes with the index
 * and costs nothing more; one that was overwritten or deleted since holds its value alone. When the
 * store needs that room, {@link #trim} lets the oldest changes go early.
 */
public final class ChangeFeed implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ChangeFeed.class.getName());
    /** In the ring at a seq that holds no change (see {@link #skip}); readers step over it. */
    private static final Mutation GAP = Mutation.delete(-1, "");
    private static final Mutation[] NONE = {};
    /**
     * Heap a retained change takes besides its value's bytes (the mutation record and its name, about
     * 80 bytes), counted in {@link #heldBytes} once the change is no longer the app's current value.
     */
    static final long CHANGE_OVERHEAD = 100;
    private final FeedConfig config;
    private final Predicate<Mutation> current; // is this change's value the app's current one (in the index)?
    /**
     * The changes of seq s sit at s % retain: its {@link Mutation}, or a {@code Mutation[]} when it has
     * several (a transaction; a single change, the common case, costs no array), or {@link #GAP}.
     */
    private final AtomicReferenceArray<Object> ring;
    private final Semaphore subscribers;
    private final Semaphore wake = new Semaphore(0);
    private final Phaser commits = new Phaser(1); // its phase advances after commits, for waiters
    private final AtomicInteger waiting = new AtomicInteger();
    private final EssentialThread dispatcher;
    /** Changes with seq > floor are in the window; -1 until the first change or the end of loading. */
    private volatile long floor = -1;
    private volatile long last;
    private volatile boolean closed;
    private long bytes; // of values in the window; worker only
    private volatile long held; // heap of changes in the window that are not current (see heldBytes); worker only
    /**
     * The part of {@link #held} each ring slot's changes hold: what leaves {@code held} when they leave the
     * window, without asking the index again (a lookup per evicted change, a cache miss at a million apps).
     * A change is counted once, when it stops being current, and stays counted: a value never becomes
     * current again. Worker only.
     */
    private final long[] heldAt;
    private long added = -1; // the seq of the last change added to the ring; worker only

    /** A feed on its own, whose every retained change counts in {@link #heldBytes}. */
    public ChangeFeed(FeedConfig config) {
        this(config, m -> false);
    }

    /**
     * A feed beside the store's index: {@code current} tells whether a change's value is the app's
     * current one, and whoever replaces or removes a current value calls {@link #superseded} for it.
     */
    public ChangeFeed(FeedConfig config, Predicate<Mutation> current) {
        this.config = config;
        this.current = current;
        this.ring = new AtomicReferenceArray<>(config.retain());
        this.heldAt = new long[config.retain()];
        this.subscribers = new Semaphore(config.maxSubscribers());
        this.dispatcher = EssentialThread.start("microstore-feed", "the changes feed's dispatcher", this::dispatch);
    }

    public FeedConfig config() {
        return config;
    }

    /** The seq of the last committed change. */
    public long lastSeq() {
        return last;
    }

    /** A change replayed while the store loads (a transaction's changes one after the other, with one seq). */
    public void replayed(Mutation mutation) {
        add(new Mutation[] {mutation});
        last = mutation.seq();
    }

    /** The store has loaded; {@code lastSeq} is the seq of its last durable change. */
    public void loaded(long lastSeq) {
        if (floor < 0) {
            floor = lastSeq; // no journal tail: the window starts empty, at the current seq
        }
        added = Math.max(added, lastSeq);
        last = lastSeq;
    }

    /**
     * The store's state was replaced (an engine re-listed it at {@code lastSeq}): the window is dropped,
     * so clients that were following get {@link FeedGone} and list again; the window restarts empty at
     * {@code lastSeq}. Called on the engine's thread.
     */
    public void reset(long lastSeq) {
        for (int i = 0; i < ring.length(); i++) {
            ring.set(i, null);
        }
        bytes = 0;
        held = 0;
        Arrays.fill(heldAt, 0);
        added = lastSeq;
        floor = lastSeq;
        last = lastSeq;
        if (waiting.get() > 0) {
            wake.release();
        }
    }

    /** A durable batch, already visible in the index. Called on the engine's thread: returns at once. */
    public void committed(List<Mutation> batch) {
        int from = 0;
        while (from < batch.size()) {
            int to = from + 1;
            while (to < batch.size() && batch.get(to).seq() == batch.get(from).seq()) {
                to++;
            }
            add(batch.subList(from, to).toArray(NONE));
            from = to;
        }
        last = batch.getLast().seq();
        // Waiters count themselves before they read `last`, and this reads `waiting` after writing it,
        // so either a waiter sees the new seq or the dispatcher is woken for it. Nobody waiting: no wake.
        if (waiting.get() > 0) {
            wake.release();
        }
    }

    /**
     * The changes with seq > {@code since} whose names start with {@code prefix}: up to {@code limit}, and
     * then the rest of the last seq read (a seq is never split: a transaction's changes come together).
     *
     * @throws FeedGone when changes after {@code since} have left the window, or {@code since} is ahead
     */
    public ChangePage read(long since, int limit, String prefix) {
        long end = last;
        if (since > end) {
            throw new FeedGone("since=" + since + " is ahead of this store, whose last seq is " + end
                    + " (it may have restarted without its data); list the apps again and resume from "
                    + "since=" + end, end);
        }
        List<Mutation> changes = new ArrayList<>(Math.min(limit, 64));
        long seq = since;
        while (seq < end && changes.size() < limit) {
            Object group = ring.get(slot(seq + 1));
            if (since < floor || group == null || (group != GAP && seqOf(group) != seq + 1)) {
                throw gone(since, end);
            }
            seq++;
            if (group instanceof Mutation m) {
                if (m != GAP && m.name().startsWith(prefix)) {
                    changes.add(m);
                }
            } else {
                for (Mutation m : (Mutation[]) group) {
                    if (m.name().startsWith(prefix)) {
                        changes.add(m);
                    }
                }
            }
        }
        if (since < floor) { // also when nothing was read: the window starts after since
            throw gone(since, end);
        }
        return new ChangePage(changes, seq);
    }

    /**
     * Waits until a change after {@code seq} exists, the timeout passes, the feed closes or the thread
     * is interrupted (the server stopping); the last two end a client's wait as if the time were up.
     *
     * @return true when there is a change after {@code seq}
     */
    boolean await(long seq, Duration timeout) {
        waiting.incrementAndGet();
        try {
            return awaitCounted(seq, timeout);
        } finally {
            waiting.decrementAndGet();
        }
    }

    private boolean awaitCounted(long seq, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            int phase = commits.getPhase(); // read before checking, so a commit in between is not missed
            if (last > seq) {
                return true;
            }
            long remaining = deadline - System.nanoTime();
            if (closed || phase < 0 || remaining <= 0) {
                return false;
            }
            try {
                commits.awaitAdvanceInterruptibly(phase, remaining, TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                return last > seq;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return last > seq;
            }
        }
    }

    /**
     * A place among the clients that wait for changes, counted against
     * {@code store.changes.max-subscribers}; close it when done.
     *
     * @throws FeedBusy when that many wait already
     */
    public Waiter subscribe() {
        if (closed || !subscribers.tryAcquire()) {
            throw new FeedBusy(config.maxSubscribers());
        }
        return new Waiter();
    }

    /** Number of clients waiting on the feed now. */
    public int subscribers() {
        return config.maxSubscribers() - subscribers.availablePermits();
    }

    public boolean closed() {
        return closed;
    }

    /** Wakes every waiting client for good; they end their streams. */
    @Override
    public void close() {
        closed = true;
        commits.forceTermination();
        dispatcher.thread().interrupt();
    }

    /**
     * Why waiting clients are no longer woken (the dispatcher thread has ended although the feed is open:
     * long-polls and streams would only end at their timeouts), or null.
     */
    public String failure() {
        return closed ? null : dispatcher.failure();
    }

    /** The dispatcher thread, for the tests of this package. */
    Thread dispatcher() {
        return dispatcher.thread();
    }

    /** Adds the changes of one seq; when that seq is the last added already, they join its changes. */
    private void add(Mutation[] changes) {
        long seq = changes[0].seq();
        if (seq == added && seq > floor && ring.get(slot(seq)) instanceof Object earlier && earlier != GAP
                && seqOf(earlier) == seq) { // a transaction replayed change by change at load, before anyone reads
            Mutation[] before = earlier instanceof Mutation m ? new Mutation[] {m} : (Mutation[]) earlier;
            Mutation[] joined = Arrays.copyOf(before, before.length + changes.length);
            System.arraycopy(changes, 0, joined, before.length, changes.length);
            ring.set(slot(seq), joined);
            account(changes);
            return;
        }
        if (floor < 0) {
            floor = seq - 1;
        }
        if (added >= 0 && seq > added + 1) {
            skip(added, seq);
        }
        added = Math.max(added, seq);
        long size = 0;
        for (Mutation m : changes) {
            size += size(m);
        }
        while (seq - floor > config.retain() || (bytes + size > config.retainBytes() && floor < seq - 1)) {
            evictOldest();
        }
        ring.set(slot(seq), changes.length == 1 ? changes[0] : changes);
        account(changes);
    }

    /** Counts the bytes of changes just put in the window. */
    private void account(Mutation[] changes) {
        for (Mutation m : changes) {
            bytes += size(m);
            if (!current.test(m)) { // overwritten within its own batch already
                hold(m);
            }
        }
    }

    /**
     * Seqs {@code from} (exclusive) to {@code to} (exclusive) hold no change (an engine whose seqs have
     * gaps, like etcd's revisions when other keys are written): readers step over them. A gap wider
     * than the window empties it and moves the floor up to {@code to - 1}.
     */
    private void skip(long from, long to) {
        if (to - 1 - from >= config.retain()) { // the gap alone fills the window
            for (int i = 0; i < ring.length(); i++) {
                ring.set(i, null);
            }
            bytes = 0;
            held = 0;
            Arrays.fill(heldAt, 0);
            floor = to - 1;
            return;
        }
        for (long s = from + 1; s < to; s++) {
            while (s - floor > config.retain()) {
                evictOldest();
            }
            ring.set(slot(s), GAP);
        }
    }

    private void evictOldest() {
        int slot = slot(floor + 1);
        Object evicted = ring.getAndSet(slot, null);
        if (evicted instanceof Mutation m) {
            bytes -= size(m); // GAP's is 0
        } else if (evicted != null) {
            for (Mutation m : (Mutation[]) evicted) {
                bytes -= size(m);
            }
        }
        held -= heldAt[slot];
        heldAt[slot] = 0;
        floor++;
    }

    /** Counts a retained change that is no longer current: it holds its value alone until it leaves the window. */
    private void hold(Mutation m) {
        long heap = heap(m);
        held += heap;
        heldAt[slot(m.seq())] += heap;
    }

    /**
     * Heap bytes the window holds beyond the index: the values (and {@link #CHANGE_OVERHEAD}) of the
     * retained changes that are no longer their app's current value.
     */
    public long heldBytes() {
        return held;
    }

    /**
     * The current value {@code data} of {@code name}, written at {@code seq}, is being replaced or removed
     * in the index: if the window retains the change that wrote it, that change now holds its value alone.
     * Called on the engine's thread just before the index changes (while the change is still current, so
     * a second call for it counts nothing).
     */
    public void superseded(String name, long seq, byte[] data) {
        if (seq > floor && seq <= added) {
            Object group = ring.get(slot(seq));
            if (group == null || group == GAP || seqOf(group) != seq) {
                return;
            }
            if (group instanceof Mutation m) { // the common case: counted already means no longer current
                if (m.data() == data && m.name().equals(name) && heldAt[slot(seq)] == 0) {
                    hold(m);
                }
                return;
            }
            for (Mutation m : (Mutation[]) group) {
                if (m.data() == data && m.name().equals(name) && current.test(m)) {
                    hold(m);
                }
            }
        }
    }

    /**
     * Lets the oldest changes go until the window holds at most {@code room} bytes beyond the index
     * (clients that were that far behind get {@link FeedGone} and list again): the store's quota needs
     * the room for current values. Called on the engine's thread.
     */
    public void trim(long room) {
        while (held > Math.max(room, 0) && floor < added) {
            evictOldest();
        }
    }

    private static long heap(Mutation m) {
        return size(m) + CHANGE_OVERHEAD;
    }

    private void dispatch() {
        while (!closed) {
            try {
                wake.acquire();
                wake.drainPermits(); // one wake-up for all the batches that committed meanwhile
                commits.arrive();
            } catch (InterruptedException e) {
                return; // close() interrupts it; anyone else ends it too, and failure() says so
            } catch (Throwable e) { // a failed wake-up must not leave every later waiter asleep
                EssentialThread.survived(LOG, "waking the feed's waiting clients", e);
            }
        }
    }

    private FeedGone gone(long since, long end) {
        return new FeedGone("since=" + since + " is older than the changes this server keeps (it can resume from since="
                + floor + " on); list the apps again and resume from since=" + end, end);
    }

    /** The seq of a ring element's changes. */
    private static long seqOf(Object element) {
        return element instanceof Mutation m ? m.seq() : ((Mutation[]) element)[0].seq();
    }

    private int slot(long seq) {
        return (int) (seq % config.retain());
    }

    private static long size(Mutation m) {
        return m.data() == null ? 0 : m.data().length;
    }

    /** A client's place among the feed's subscribers, and the one way to wait for a change. */
    public final class Waiter implements AutoCloseable {
        private boolean open = true;

        private Waiter() {
        }

        /**
         * Calls {@code probe} now and again after each commit until it returns non-null, the time is up,
         * the feed closes or the thread is interrupted; returns its last result (null: nothing came).
         */
        public <T> T await(Duration timeout, Supplier<T> probe) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                long seen = last; // before probing: a commit after this read ends the wait below at once
                T result = probe.get();
                if (result != null || closed
                        || !ChangeFeed.this.await(seen, Duration.ofNanos(deadline - System.nanoTime()))) {
                    return result;
                }
            }
        }

        @Override
        public void close() {
            if (open) {
                open = false;
                subscribers.release();
            }
        }
    }
}
