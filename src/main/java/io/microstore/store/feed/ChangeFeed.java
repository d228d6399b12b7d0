package io.microstore.store.feed;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Phaser;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

import io.microstore.commit.Change;
import io.microstore.commit.Commit;
import io.microstore.store.Entry;
import io.microstore.store.FeedBusy;
import io.microstore.store.FeedGone;
import io.microstore.store.StoreUnavailable;
import io.microstore.store.query.Equality;
import io.microstore.store.query.Selector;
import io.microstore.threads.EssentialThread;

/**
 * The changes feed: the store's consumer of the commit stream that keeps a bounded window of the most
 * recent seqs (by count, and by bytes of values), for any number of clients to read at their own pace
 * and resume by seq. After a restart the window is rebuilt from the commits replayed at load.
 *
 * <p>A seq holds all its changes, one {@link Commit}: one change, or all of a transaction's. They enter the window together, leave
 * it together, and a {@link #read} never splits them (a page may go over its limit to end a seq), so
 * whoever resumes after a seq never misses part of one.
 *
 * <p>The engine's thread only drops commits into a ring and pokes a dispatcher thread, which wakes
 * the waiting clients: a slow or numerous audience never slows writes down. A client that falls out of
 * the window gets {@link FeedGone} on its next read instead of holding memory for it. Every client
 * that waits for a change (long-poll, SSE, app watch) waits through one {@link Waiter}.
 *
 * <p>For the store's memory quota it counts the heap it holds beyond the index ({@link #heldBytes}): a
 * retained change whose value is still the app's current one shares that value's bytes with the index
 * and costs nothing more; one that was overwritten or deleted since holds its value alone. When the
 * store needs that room, {@link #trim} lets the oldest changes go early.
 *
 * <p>Each retained change keeps a reference to the value it replaced (its prior, from the index as the
 * change was applied), which a live query ({@link #read(FeedPosition, int, String, Selector)}) needs to tell
 * whether the app was in its result set before. A prior is counted once: by the change that wrote it while
 * that one is in the window, then by the change that replaced it. A live query waits apart from the others:
 * it is filed under one equality its selector requires ({@link Equality}), and the dispatcher wakes it only for
 * a change whose old or new value has that value at that pointer, one lookup per distinct pointer per change.
 */
public final class ChangeFeed implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ChangeFeed.class.getName());
    /** In the ring at a seq that holds no change (see {@link #skip}); readers step over it. */
    private static final Retained GAP = Retained.of(Commit.of(-1, Change.delete("")), null);
    /**
     * Heap a retained change takes besides its value's bytes (the change record and its name, about
     * 80 bytes), counted in {@link #heldBytes} once the change is no longer the app's current value.
     */
    static final long CHANGE_OVERHEAD = 100;
    /** Heap a retained prior takes besides its value's bytes (its index entry and the slot that refers to it). */
    static final long PRIOR_OVERHEAD = 48;

    private final FeedConfig config;
    private final Current current;
    private final CatchUp catchUp;
    /** The commit of seq s, with its priors, sits at s % retain, or {@link #GAP}. */
    private final AtomicReferenceArray<Retained> ring;
    /**
     * Per slot, the first later change in the window that took a value the slot's commit wrote as its prior:
     * its seq (0: none) and the value's bytes. When the slot leaves, that heap stays counted, at the later
     * change's slot. In arrays, as at a thousand apps every PUT's prior is in the window: objects per PUT are
     * what young collections copy. A value is replaced once, so only a commit of several changes can hand
     * over more than one; those go to {@link #handedMore}, by slot. Worker only.
     */
    private final long[] handedTo;

    private final long[] handedBytes;
    private final Map<Integer, List<long[]>> handedMore = new HashMap<>();

    private final Semaphore subscribers;
    private final Object left = new Object(); // notified when a subscriber leaves a closed feed
    private final Semaphore wake = new Semaphore(0);
    private final Phaser commits = new Phaser(1); // its phase advances after commits, for waiters
    private final AtomicInteger waiting = new AtomicInteger();
    /** Counts {@link #nudge}s: a plain waiter that sees it change probes again although no change came. */
    private final AtomicLong nudges = new AtomicLong();

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
    /** The part of {@link #held} each slot's priors hold (apart: {@link #superseded} reads heldAt). Worker only. */
    private final long[] priorsAt;

    private long added = -1; // the seq of the last change added to the ring; worker only

    /** Live queries filed by the pointer of their equality, then by its value. */
    private final ConcurrentHashMap<String, Group> byPointer = new ConcurrentHashMap<>();
    /** Live queries that require no equality: woken by every commit. */
    private final Set<Waiter> unkeyed = ConcurrentHashMap.newKeySet();

    private final AtomicInteger live = new AtomicInteger();
    private volatile long dispatched; // the seq up to which live queries were woken; written by the dispatcher only

    /** The live queries whose equality is at one pointer, by the value they require there. */
    private record Group(Function<byte[], Object> reader, ConcurrentHashMap<Object, Set<Waiter>> byValue) {}

    /**
     * Whether {@code data}, written at {@code seq}, is app {@code name}'s current value (in the store's index);
     * never for a delete's null. Asked by name and value, so a change of a large commit is checked by a
     * lookup, without finding its {@link Change} among the commit's.
     */
    @FunctionalInterface
    public interface Current {
        boolean holds(long seq, String name, byte[] data);
    }

    /**
     * Asked when a client reads from a seq the feed has not reached: returns the seq up to which every
     * commit has been added to the feed now, after waiting (bounded) for that seq when the engine may have
     * committed it elsewhere; what it returns short of {@code seq} means seq is ahead of the store.
     */
    @FunctionalInterface
    public interface CatchUp {
        long upTo(long seq);
    }

    /** A feed on its own, whose every retained change counts in {@link #heldBytes}. */
    public ChangeFeed(FeedConfig config) {
        this(config, (seq, name, data) -> false);
    }

    /**
     * A feed beside the store's index: {@code current} tells whether a change's value is the app's
     * current one, and whoever replaces or removes a current value calls {@link #superseded} for it. A seq
     * ahead of the feed is ahead of the store (its engine commits nowhere else).
     */
    public ChangeFeed(FeedConfig config, Current current) {
        this(config, current, seq -> -1);
    }

    /**
     * A feed beside the store's index ({@link #ChangeFeed(FeedConfig, Current)}) whose engine may have
     * committed seqs the feed has not reached yet (another instance's): {@code catchUp} waits for them.
     */
    public ChangeFeed(FeedConfig config, Current current, CatchUp catchUp) {
        this.config = config;
        this.current = current;
        this.catchUp = catchUp;
        this.ring = new AtomicReferenceArray<>(config.retain());
        this.handedTo = new long[config.retain()];
        this.handedBytes = new long[config.retain()];
        this.heldAt = new long[config.retain()];
        this.priorsAt = new long[config.retain()];
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

    /** A commit replayed while the store loads. */
    public void replayed(Commit commit) {
        replayed(commit, null);
    }

    /** A commit replayed while the store loads, with the values its changes replaced (see {@link #committed}). */
    public void replayed(Commit commit, Entry[] prior) {
        add(commit, prior);
        last = commit.seq();
    }

    /** The store has loaded; {@code lastSeq} is the seq of its last durable change. */
    public void loaded(long lastSeq) {
        if (floor < 0) {
            floor = lastSeq; // no journal tail: the window starts empty, at the current seq
        } else if (lastSeq > added) {
            skip(added, lastSeq + 1); // seqs after the last change replayed that hold none (etcd's gaps)
        }
        added = Math.max(added, lastSeq);
        last = lastSeq;
    }

    /**
     * The store's state was replaced (an engine re-listed it at {@code lastSeq}), or a load is about to
     * replay every change after {@code lastSeq}: the window is dropped, so clients that were following get
     * {@link FeedGone} and list again; the window restarts empty at {@code lastSeq}. Called on the
     * engine's thread.
     */
    public void reset(long lastSeq) {
        clear();
        added = lastSeq;
        floor = lastSeq;
        last = lastSeq;
        if (waiting.get() > 0) {
            wake.release();
        }
        signalLive(); // they read again and find they are out of the window
    }

    private void clear() {
        for (int i = 0; i < ring.length(); i++) {
            ring.set(i, null);
        }
        bytes = 0;
        held = 0;
        Arrays.fill(heldAt, 0);
        Arrays.fill(priorsAt, 0);
        Arrays.fill(handedTo, 0);
        handedMore.clear();
    }

    /** A durable batch, already visible in the index, its priors unknown. */
    public void committed(List<Commit> batch) {
        committed(batch, null);
    }

    /**
     * A durable batch, already visible in the index; {@code priors} (null: unknown) holds per commit the index
     * entries its changes replaced (an element null: the app was absent), what live queries compare with. Called
     * on the engine's thread: returns at once.
     */
    public void committed(List<Commit> batch, List<Entry[]> priors) {
        for (int i = 0; i < batch.size(); i++) {
            add(batch.get(i), priors == null ? null : priors.get(i));
        }
        last = batch.getLast().seq();
        // Waiters count themselves before they read `last`, and this reads `waiting` after writing it,
        // so either a waiter sees the new seq or the dispatcher is woken for it. Nobody waiting: no wake.
        // A live query is woken by the dispatcher whether or not it waits right now, so it wakes it too.
        if (waiting.get() > 0 || live.get() > 0) {
            wake.release();
        }
    }

    /**
     * The commits with seq > {@code since}, each with its changes whose names start with {@code prefix}
     * (a commit with none is left out): up to {@code limit} changes, and then the rest of the last seq
     * read (a seq is never split: a transaction's changes come together).
     *
     * @throws FeedGone when changes after {@code since} have left the window, or {@code since} is ahead
     * @throws StoreUnavailable when the engine cannot tell in time whether a {@code since} ahead of the
     *     feed exists
     */
    public ChangePage read(long since, int limit, String prefix) {
        return read(FeedPosition.after(since), limit, prefix);
    }

    /**
     * {@link #read(long, int, String)} from a position, which may be inside a commit: then the page
     * starts with the rest of that commit's changes (under {@code prefix}).
     */
    public ChangePage read(FeedPosition from, int limit, String prefix) {
        return read(from, limit, prefix, null);
    }

    /**
     * A live query's read: {@link #read(FeedPosition, int, String)} keeping only the changes of apps that
     * {@code where} matched before or after them (null: every change, as a plain read), each with its
     * {@link Transition}. {@code limit} counts the changes kept; a commit's changes still come together.
     */
    public ChangePage read(FeedPosition from, int limit, String prefix, Selector where) {
        return read(from, limit, prefix, where, null);
    }

    /**
     * {@link #read(FeedPosition, int, String, Selector)} of the changes of names {@code visible} accepts only (a
     * key's scope; null: every name): the others are left out as changes under another prefix are; {@code limit}
     * counts those kept.
     */
    public ChangePage read(FeedPosition from, int limit, String prefix, Selector where, Predicate<String> visible) {
        long end = last;
        if (from.seq() > end) {
            // Not here yet: in cluster mode another instance may have committed it a moment ago.
            long applied = catchUp.upTo(from.seq());
            end = last;
            if (from.seq() > Math.max(end, applied)) {
                throw new FeedGone(
                        "since=" + from.seq() + " is ahead of this store, whose last seq is " + end
                                + " (it may have restarted without its data); list the apps again and resume from "
                                + "since=" + end,
                        end);
            }
            if (from.seq() > end) { // every seq up to it is applied and none after end holds a change
                return new ChangePage(List.of(), from.seq());
            }
        }
        long since = from.inside() ? from.seq() - 1 : from.seq();
        List<Commit> commits = new ArrayList<>(Math.min(limit, 64));
        List<int[]> places = where == null ? null : new ArrayList<>(); // stays null while every commit read is whole
        List<Transition[]> transitions = where == null ? null : new ArrayList<>();
        int changes = 0;
        long seq = since;
        while (seq < end && changes < limit) {
            Retained commit = ring.get(slot(seq + 1));
            if (since < floor || commit == null || (commit != GAP && commit.seq() != seq + 1)) {
                throw gone(since, end);
            }
            seq++;
            if (commit == GAP) {
                continue;
            }
            int first = from.inside() && seq == from.seq() ? from.change() + 1 : 0;
            if (where != null) {
                changes += live(commit, first, prefix, visible, where, commits, places, transitions);
                continue;
            }
            int[] picked = pick(commit, first, prefix, visible);
            if (picked == null) {
                commits.add(commit.commit());
                changes += commit.size();
                if (places != null) {
                    places.add(null);
                }
            } else if (picked.length > 0) {
                List<Change> part = new ArrayList<>(picked.length);
                for (int i : picked) {
                    part.add(commit.change(i));
                }
                if (places == null) {
                    places = new ArrayList<>(Collections.nCopies(commits.size(), null));
                }
                commits.add(new Commit(commit.seq(), part));
                places.add(picked);
                changes += picked.length;
            }
        }
        if (since < floor) { // also when nothing was read: the window starts after since
            throw gone(since, end);
        }
        return new ChangePage(commits, seq, places, transitions);
    }

    /**
     * Adds to the page the changes of {@code commit} (from number {@code first} on, under {@code prefix}) of
     * apps {@code where} matched before or after, with what they did; returns how many.
     */
    private static int live(
            Retained commit,
            int first,
            String prefix,
            Predicate<String> visible,
            Selector where,
            List<Commit> commits,
            List<int[]> places,
            List<Transition[]> transitions) {
        int size = commit.size();
        Change[] all = new Change[size];
        int[] picked = new int[size];
        Transition[] did = new Transition[size];
        int n = 0;
        for (int i = first; i < size; i++) {
            String name = commit.name(i);
            if (name.startsWith(prefix) && (visible == null || visible.test(name))) {
                all[i] = commit.change(i);
                Transition t = transition(where, commit.prior(i), all[i]);
                if (t != null) {
                    picked[n] = i;
                    did[n++] = t;
                }
            }
        }
        if (n == 0) {
            return 0;
        }
        if (n == size) {
            commits.add(commit.commit());
            places.add(null);
        } else {
            List<Change> part = new ArrayList<>(n);
            for (int k = 0; k < n; k++) {
                part.add(all[picked[k]]);
            }
            commits.add(new Commit(commit.seq(), part));
            places.add(Arrays.copyOf(picked, n));
        }
        transitions.add(Arrays.copyOf(did, n));
        return n;
    }

    /** What {@code change} (over {@code before}, null when the app was absent) did to where's result set, or null. */
    static Transition transition(Selector where, Entry before, Change change) {
        boolean was = before != null && where.matches(before.data());
        boolean is = !change.isDelete() && where.matches(change.data());
        if (is) {
            return was ? Transition.UPDATE : Transition.ENTER;
        }
        if (!was) {
            return null;
        }
        return !change.isDelete() ? Transition.UNMATCHED : change.expired() ? Transition.EXPIRED : Transition.DELETED;
    }

    /**
     * Which changes of {@code commit}, from number {@code first} on, are under {@code prefix}: null when
     * all of the commit's are (it goes whole), else their numbers (none: it is left out).
     */
    private static int[] pick(Retained commit, int first, String prefix, Predicate<String> visible) {
        int size = commit.size();
        if (first == 0 && prefix.isEmpty() && visible == null) {
            return null;
        }
        int[] picked = new int[Math.max(size - first, 0)];
        int n = 0;
        for (int i = first; i < size; i++) {
            String name = commit.name(i);
            if (name.startsWith(prefix) && (visible == null || visible.test(name))) {
                picked[n++] = i;
            }
        }
        return n == size ? null : Arrays.copyOf(picked, n);
    }

    /**
     * Waits until a change after {@code seq} exists, the timeout passes, the feed closes or the thread
     * is interrupted (the server stopping); the last two end a client's wait as if the time were up.
     *
     * @return true when there is a change after {@code seq}
     */
    boolean await(long seq, Duration timeout) {
        return await(seq, timeout, nudges.get());
    }

    /** {@link #await(long, Duration)}, also true once {@link #nudge}d after {@code nudged} was read. */
    private boolean await(long seq, Duration timeout, long nudged) {
        waiting.incrementAndGet();
        try {
            return awaitCounted(seq, timeout, nudged);
        } finally {
            waiting.decrementAndGet();
        }
    }

    private boolean awaitCounted(long seq, Duration timeout, long nudged) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            int phase = commits.getPhase(); // read before checking, so a commit in between is not missed
            if (last > seq || nudges.get() != nudged) {
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
     * @throws StoreUnavailable when the feed is closed (the server is stopping)
     */
    public Waiter subscribe() {
        return subscribe(null);
    }

    /**
     * {@link #subscribe()} for a live query on {@code where} (null: a plain one): its waits end only for
     * commits whose changes may concern it (see the class comment), and it counts in {@link #liveQueries}
     * until closed.
     */
    public Waiter subscribe(Selector where) {
        if (closed) {
            throw new StoreUnavailable(
                    "the server is shutting down; retry (another instance, or this one once back)", null, 1);
        }
        if (!subscribers.tryAcquire()) {
            throw new FeedBusy(config.maxSubscribers());
        }
        return new Waiter(where);
    }

    /**
     * The seq up to which the dispatcher has looked at commits for the waiting clients (woken the live queries
     * they concern): what a benchmark waits for to measure the whole cost of a write.
     */
    public long dispatchedSeq() {
        return dispatched;
    }

    /** Number of live queries ({@code /api/changes?where}) registered now: long-polls waiting and streams open. */
    public int liveQueries() {
        return live.get();
    }

    /** Threads in a wait for a change right now (a client's wait, or one between its reads), for tests. */
    int waiting() {
        return waiting.get();
    }

    /** Number of clients waiting on the feed now. */
    public int subscribers() {
        return config.maxSubscribers() - subscribers.availablePermits();
    }

    public boolean closed() {
        return closed;
    }

    /**
     * Wakes every waiting client once, without a change: each probes again (something it depends on besides the
     * changes, its key, may be gone) and waits on. What a revoked key's long-polls and streams need to end at once.
     */
    public void nudge() {
        nudges.incrementAndGet();
        commits.arrive();
        signalLive();
    }

    /** Wakes every waiting client for good; they end their streams. */
    @Override
    public void close() {
        closed = true;
        commits.forceTermination();
        signalLive();
        dispatcher.thread().interrupt();
    }

    /**
     * {@link #close}, then waits at most {@code max} until every subscriber has left (answered its
     * long-poll, ended its stream): what a server that stops does before it closes its connections.
     *
     * @return false when some had not left in time
     */
    public boolean closeAndDrain(Duration max) {
        close();
        long deadline = System.nanoTime() + max.toNanos();
        synchronized (left) {
            while (subscribers() > 0) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return false;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(left, remaining);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return true;
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

    /**
     * Adds the commit of the next seq to the window, letting the oldest go as the limits need, with the
     * values its changes replaced ({@code prior}: null when unknown).
     */
    private void add(Commit commit, Entry[] prior) {
        long seq = commit.seq();
        if (floor < 0) {
            floor = seq - 1;
        }
        if (added >= 0 && seq > added + 1) {
            skip(added, seq);
        }
        added = Math.max(added, seq);
        Retained retained = Retained.of(commit, prior);
        long size = retained.bytes();
        while (seq - floor > config.retain() || (bytes + size > config.retainBytes() && floor < seq - 1)) {
            evictOldest();
        }
        ring.set(slot(seq), retained);
        bytes += size;
        for (Change change : commit.changes()) {
            if (!current.holds(seq, change.name(), change.data())) { // overwritten within its own batch already
                hold(seq, change);
            }
        }
        if (prior != null) {
            for (Entry before : prior) {
                if (before != null) {
                    keep(seq, before);
                }
            }
        }
    }

    /**
     * Counts the prior {@code before} the change at {@code seq} refers to: while the change that wrote it is in
     * the window, that one counts it (it was superseded) and hands the count over when it leaves; else the
     * prior holds its value alone from now on.
     */
    private void keep(long seq, Entry before) {
        long heap = before.data().length + PRIOR_OVERHEAD;
        long writer = before.seq();
        Retained wrote = writer > floor && writer <= seq ? ring.get(slot(writer)) : null; // its own commit too
        if (wrote != null && wrote != GAP && wrote.seq() == writer) {
            int from = slot(writer);
            if (handedTo[from] == 0) {
                handedTo[from] = seq;
                handedBytes[from] = before.data().length;
            } else {
                handedMore.computeIfAbsent(from, f -> new ArrayList<>()).add(new long[] {seq, before.data().length});
            }
            held += PRIOR_OVERHEAD; // what the writer's count does not cover: the reference itself
            priorsAt[slot(seq)] += PRIOR_OVERHEAD;
        } else {
            held += heap;
            priorsAt[slot(seq)] += heap;
        }
    }

    /**
     * Seqs {@code from} (exclusive) to {@code to} (exclusive) hold no change (an engine whose seqs have
     * gaps, like etcd's revisions when other keys are written): readers step over them. A gap wider
     * than the window empties it and moves the floor up to {@code to - 1}.
     */
    private void skip(long from, long to) {
        if (to - 1 - from >= config.retain()) { // the gap alone fills the window
            clear();
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
        Retained evicted = ring.getAndSet(slot, null);
        if (evicted != null) {
            bytes -= evicted.bytes(); // GAP's is 0
        }
        held -= heldAt[slot] + priorsAt[slot];
        heldAt[slot] = 0;
        priorsAt[slot] = 0;
        if (handedTo[slot] != 0) { // values that later changes in the window still refer to, as their priors
            takeOver(handedTo[slot], handedBytes[slot]);
            handedTo[slot] = 0;
            List<long[]> more = handedMore.isEmpty() ? null : handedMore.remove(slot);
            if (more != null) {
                more.forEach(to -> takeOver(to[0], to[1]));
            }
        }
        floor++;
    }

    /** The later change at {@code seq}, if still in the window, holds {@code bytes} of its prior alone from now on. */
    private void takeOver(long seq, long bytes) {
        if (seq > floor + 1 && seq <= added) {
            held += bytes;
            priorsAt[slot(seq)] += bytes;
        }
    }

    /** Counts a retained change that is no longer current: it holds its value alone until it leaves the window. */
    private void hold(long seq, Change change) {
        hold(seq, change.isDelete() ? 0 : change.data().length);
    }

    /** {@link #hold(long, Change)} of a change that wrote {@code length} bytes. */
    private void hold(long seq, int length) {
        long heap = length + CHANGE_OVERHEAD;
        held += heap;
        heldAt[slot(seq)] += heap;
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
            Retained commit = ring.get(slot(seq));
            if (commit == null || commit == GAP || commit.seq() != seq) {
                return;
            }
            if (commit.size() == 1) { // the common case: counted already means no longer current
                if (commit.data(0) == data && commit.name(0).equals(name) && heldAt[slot(seq)] == 0) {
                    hold(seq, data.length);
                }
                return;
            }
            // data written at seq and current is this commit's change for the name (one seq, one commit): asked
            // of the index by a lookup, as a walk of the commit's changes to find it cost a walk of all the apps
            // of a large import (one commit) per PUT to any of them
            if (current.holds(seq, name, data)) {
                hold(seq, data.length);
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

    private void dispatch() {
        while (!closed) {
            try {
                wake.acquire();
                wake.drainPermits(); // one wake-up for all the batches that committed meanwhile
                long upTo = last;
                if (live.get() > 0) {
                    dispatchLive(upTo);
                }
                dispatched = upTo;
                commits.arrive();
            } catch (InterruptedException e) {
                return; // close() interrupts it; anyone else ends it too, and failure() says so
            } catch (Throwable e) { // a failed wake-up must not leave every later waiter asleep
                EssentialThread.survived(LOG, "waking the feed's waiting clients", e);
            }
        }
    }

    /**
     * Wakes the live queries the commits after {@link #dispatched} up to {@code upTo} may concern: per change,
     * per distinct pointer, the queries filed under its old or its new value there; every unkeyed one for any
     * commit. Commits that left the window before they were looked at wake them all (they find out on reading).
     */
    private void dispatchLive(long upTo) {
        for (long s = Math.max(dispatched, floor) + 1; s <= upTo; s++) {
            Retained commit = ring.get(slot(s));
            if (commit == GAP) {
                continue;
            }
            if (commit == null || commit.seq() != s) {
                signalLive();
                return;
            }
            unkeyed.forEach(Waiter::signal);
            if (byPointer.isEmpty()) {
                continue;
            }
            for (int i = 0; i < commit.size(); i++) {
                Entry before = commit.prior(i);
                byte[] was = before == null ? null : before.data();
                for (Group group : byPointer.values()) {
                    Object now = group.reader().apply(commit.data(i));
                    Object then = group.reader().apply(was);
                    if (now != null) {
                        signal(group.byValue().get(now));
                    }
                    if (then != null && !then.equals(now)) {
                        signal(group.byValue().get(then));
                    }
                }
            }
        }
    }

    private static void signal(Set<Waiter> waiters) {
        if (waiters != null) {
            waiters.forEach(Waiter::signal);
        }
    }

    /** Wakes every live query: the feed closes or its window was dropped. */
    private void signalLive() {
        unkeyed.forEach(Waiter::signal);
        byPointer.values().forEach(g -> g.byValue().values().forEach(ChangeFeed::signal));
    }

    private FeedGone gone(long since, long end) {
        return new FeedGone(
                "since=" + since + " is older than the changes this server keeps (it can resume from since=" + floor
                        + " on); list the apps again and resume from since=" + end,
                end);
    }

    private int slot(long seq) {
        return (int) (seq % config.retain());
    }

    /** A client's place among the feed's subscribers, and the one way to wait for a change. */
    public final class Waiter implements AutoCloseable {
        private boolean open = true;
        /** A live query's equality (null: unkeyed), and its wake-ups; both unused for a plain waiter. */
        private final Equality equality;

        private final Semaphore signal;

        private Waiter(Selector where) {
            if (where == null) {
                equality = null;
                signal = null;
                return;
            }
            equality = Equality.requiredBy(where);
            signal = new Semaphore(0);
            if (equality == null) {
                unkeyed.add(this);
            } else {
                byPointer.compute(equality.pointer(), (pointer, group) -> {
                    Group g = group != null ? group : new Group(Equality.reader(pointer), new ConcurrentHashMap<>());
                    g.byValue()
                            .computeIfAbsent(equality.value(), v -> ConcurrentHashMap.newKeySet())
                            .add(this);
                    return g;
                });
            }
            live.incrementAndGet();
        }

        /** A commit may concern this live query: its wait ends. One permit is enough for any number of commits. */
        private void signal() {
            if (signal.availablePermits() == 0) {
                signal.release();
            }
        }

        /** A live query's wait for a signal: false when the time is up (or the thread interrupted). */
        private boolean awaitSignal(Duration timeout) {
            waiting.incrementAndGet();
            try {
                boolean woken = signal.tryAcquire(Math.max(timeout.toNanos(), 0), TimeUnit.NANOSECONDS);
                signal.drainPermits();
                return woken && !closed;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } finally {
                waiting.decrementAndGet();
            }
        }

        /**
         * Calls {@code probe} now and again after each commit until it returns non-null, the time is up,
         * the feed closes or the thread is interrupted; returns its last result (null: nothing came).
         */
        public <T> T await(Duration timeout, Supplier<T> probe) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                long seen = last; // before probing: a commit after this read ends the wait below at once
                long nudged = nudges.get();
                T result = probe.get();
                if (result != null || closed) {
                    return result;
                }
                Duration left = Duration.ofNanos(deadline - System.nanoTime());
                if (signal != null ? !awaitSignal(left) : !ChangeFeed.this.await(seen, left, nudged)) {
                    return result;
                }
            }
        }

        @Override
        public void close() {
            if (open) {
                open = false;
                if (signal != null) {
                    unregister();
                }
                subscribers.release();
                if (closed) { // someone may be draining the feed
                    synchronized (left) {
                        left.notifyAll();
                    }
                }
            }
        }

        private void unregister() {
            if (equality == null) {
                unkeyed.remove(this);
            } else {
                byPointer.computeIfPresent(equality.pointer(), (pointer, group) -> {
                    group.byValue().computeIfPresent(equality.value(), (v, set) -> {
                        set.remove(this);
                        return set.isEmpty() ? null : set;
                    });
                    return group.byValue().isEmpty() ? null : group;
                });
            }
            live.decrementAndGet();
        }
    }
}
