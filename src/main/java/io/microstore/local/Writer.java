package io.microstore.local;

import java.io.IOException;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

import io.microstore.commit.Change;
import io.microstore.commit.Commit;
import io.microstore.commit.CommitStream;
import io.microstore.persist.OutOfSpace;
import io.microstore.persist.Persistence;
import io.microstore.persist.SnapshotSource;
import io.microstore.store.Command;
import io.microstore.store.EngineEvents;
import io.microstore.store.Entry;
import io.microstore.store.Index;
import io.microstore.store.NoSpace;
import io.microstore.store.Outcome;
import io.microstore.store.StoreBusy;
import io.microstore.store.StoreUnavailable;
import io.microstore.store.Transaction;
import io.microstore.store.TxnOutcome;
import io.microstore.threads.EssentialThread;

/**
 * The local engine's writes. Each is decided on its caller's own thread, one at a time under the
 * writer's lock: {@link Transaction#plan} (a single write is one of one command) against the state
 * including every write decided before it (conditions and versions only: patches come computed, see
 * {@link io.microstore.store.Prepared}, so deciding is short), and a write that changes something gets
 * the next sequence number (one seq for all of a transaction's changes, one journal record for them).
 * Nothing is visible or acknowledged before it is durable: it is handed to the {@link CommitStream}
 * (index, then feed), and answered, only once written and synced per the fsync policy.
 *
 * <p>Deciding on the caller's thread saves a hand-off to a writer thread and back: in memory a write then
 * needs no other thread at all (its cost came near bare Helidon's), and with fsync {@code always} it takes
 * one wake-up of the syncer per group instead of the writer's and the syncer's (docs/BENCHMARKS.md).
 *
 * <p>In memory the caller also publishes its write and returns, all under the lock. On a journal the
 * caller appends its record and waits, and a thread of the writer's, the syncer, takes every write decided
 * since its last turn (group commit; under fsync {@code always} it waits a little for the group to grow,
 * see {@link #gather}): writes them (under the lock, so nothing is appended meanwhile), fdatasyncs them if
 * the policy is {@code always} (outside the lock, so callers go on deciding the next group), then
 * publishes and answers them in order. A request's thread never touches the journal's files: it may be
 * interrupted (a body timeout, the server stopping), and an interrupt during a {@code FileChannel}'s write
 * closes the channel, which would stop the store. The syncer also syncs every interval under fsync
 * {@code interval}, and probes for room on a full disk. Callers decide against an overlay of the writes
 * taken and not yet published, which no reader sees; a refusal that rests on one of them is answered once
 * it is durable, with the group it joined. Tasks (a compaction) run under the lock once the writes
 * before them are durable and visible.
 *
 * <p>A full disk is not fail-stop: the writes whose write failed for lack of space get {@link NoSpace}
 * (persistence has cut their partial records off again), later writes get it at once, and the syncer
 * probes for room about every second; writes are taken again once there is some. A failed fsync, or any
 * other failed write, is fail-stop.
 */
final class Writer {
    private static final System.Logger LOG = System.getLogger(Writer.class.getName());
    private static final long IDLE_POLL_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** While closing, how often the syncer looks whether the callers still deciding are done. */
    private static final long CLOSING_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private static final long SPACE_RETRY_MILLIS = 1000;
    /** The longest the syncer waits for more requests to join a group. */
    private static final long MAX_GATHER_NANOS = TimeUnit.MICROSECONDS.toNanos(500);

    /**
     * A request decided and not yet answered: its outcome or its refusal, and the commit it appended (null
     * when it changed nothing); for a task, none of them.
     */
    private record Decided(Pending pending, TxnOutcome outcome, RuntimeException refusal, Commit commit) {}

    /** An app's state in a write taken and not yet published: its entry (null when deleted) at {@code seq}. */
    private record Overlaid(Entry entry, long seq) {}

    /** The names a write changed at {@code seq}: dropped from the overlay once published. */
    private record Written(List<String> names, long seq) {}

    private final Persistence persistence;
    private final LocalConfig config;
    private final InstantSource clock;
    private final Index index;
    private final SnapshotSource snapshot;
    private final CommitStream stream;
    /** Fsync {@code always} on a journal: the syncer writes, syncs, publishes and answers. */
    private final boolean grouped;

    private final EssentialThread syncer;
    private volatile long lastSeq;
    private volatile boolean closing;
    private volatile StoreUnavailable failure;
    private volatile NoSpace outOfSpace; // while the disk is full: the refusal for every write
    private volatile EngineEvents stats;
    /**
     * Requests in {@link #enqueue} or decided and not yet taken by the syncer: bounded by the queue's
     * capacity, so memory stays bounded whatever the clients send.
     */
    private final AtomicInteger waiting = new AtomicInteger();
    /** The seq up to which the syncer has published to the index (the overlay's entries up to it can go). */
    private volatile long publishedSeq;
    /** Set when a write is taken unsynced under fsync {@code interval} (or {@code never}: then never read). */
    private volatile boolean unsynced;

    /** Guards what follows, persistence's appends and writes, and the tasks. */
    private final ReentrantLock lock = new ReentrantLock();
    /** The syncer waits on it for a group; signalled when the first write joins one. */
    private final Condition work = lock.newCondition();

    private List<Decided> group = new ArrayList<>();
    private int gatherTarget; // while the syncer gathers: the group's size it waits for
    private long decidedSeq; // of the last commit decided: ahead of lastSeq while a group is being synced
    private final Map<String, Overlaid> inFlight = new HashMap<>();
    private final ArrayDeque<Written> inFlightNames = new ArrayDeque<>();
    /** What a decision reads: the overlay (empty unless grouped), then the index. */
    private final Function<String, Entry> decisionState = this::overlaid;

    private volatile long lastSyncNanos = System.nanoTime();
    // Read by the syncer only, for its gather.
    private long lastSyncTook;
    private int lastGroup;
    private volatile long probeAtMillis;

    /** {@code clock}: the engine's, on which the probes for room on a full disk are timed (a test's moves at will). */
    Writer(
            Persistence persistence,
            LocalConfig config,
            Index index,
            CommitStream stream,
            long lastSeq,
            EngineEvents stats,
            InstantSource clock) {
        this.stats = stats;
        this.clock = clock;
        this.persistence = persistence;
        this.config = config;
        this.index = index;
        this.snapshot = app -> {
            for (Map.Entry<String, Entry> e : index.records()) {
                app.accept(
                        e.getKey(),
                        e.getValue().data(),
                        e.getValue().seq(),
                        e.getValue().expires());
            }
        };
        this.stream = stream;
        this.lastSeq = lastSeq;
        this.publishedSeq = lastSeq;
        this.decidedSeq = lastSeq;
        this.grouped = persistence.forces(); // a journal: its files are the syncer's, whatever the policy
        OutOfSpace full = persistence.waitingForSpace(); // started on a full disk
        if (full != null) {
            outOfSpace(full);
        }
        this.syncer = EssentialThread.start("microstore-syncer", "the syncer", this::runToTheEnd);
    }

    long lastSeq() {
        return lastSeq;
    }

    StoreUnavailable failure() {
        return failure;
    }

    /** Why the syncer's thread is gone although the writer was not stopped, or null. */
    String threadFailure() {
        return closing ? null : syncer.failure();
    }

    /** Why writes are refused until there is room on the disk, or null. */
    NoSpace outOfSpace() {
        return outOfSpace;
    }

    boolean closing() {
        return closing;
    }

    int queued() {
        return waiting.get();
    }

    void observe(EngineEvents stats) {
        this.stats = stats;
    }

    /**
     * Decides a command, or runs a task, on the calling thread: its result is complete on return, or, with
     * fsync {@code always} on a journal, once the syncer has made it durable.
     *
     * @throws StoreBusy when the queue's capacity is taken
     * @throws StoreUnavailable when closing or after a persistence failure
     * @throws NoSpace while the disk is full
     */
    void enqueue(Pending pending) {
        StoreUnavailable failed = failure;
        if (failed != null) {
            throw failed;
        }
        NoSpace full = outOfSpace;
        if (full != null && pending.txn() != null) {
            throw full;
        }
        if (waiting.incrementAndGet() > config.queueCapacity()) {
            waiting.decrementAndGet();
            throw new StoreBusy(config.queueCapacity());
        }
        if (closing) { // after the count, which stop() waits on: a request it did not see is refused here
            waiting.decrementAndGet();
            throw shuttingDown();
        }
        Decided decided = null;
        boolean joined = false;
        lock.lock();
        try {
            RuntimeException refused = failure != null ? failure : pending.txn() != null ? outOfSpace : null;
            if (refused != null) {
                throw refused;
            }
            decided = pending.txn() == null ? new Decided(pending, null, null, null) : decide(pending);
            if (grouped && (decided.commit() != null || decidedSeq != publishedSeq)) {
                join(decided); // answered once what it wrote, or what its refusal rests on, is durable
                joined = true;
            } else {
                commitNow(decided);
            }
        } catch (NoSpace | StoreUnavailable e) {
            if (decided == null) {
                throw e;
            }
            decided = new Decided(pending, null, e, null);
        } catch (Throwable t) { // after a failure half-way through a commit, nothing more is written
            failStop(t);
            if (decided == null) {
                throw failure;
            }
            decided = new Decided(pending, null, failure, null);
        } finally {
            lock.unlock();
            if (!joined) {
                waiting.decrementAndGet();
            }
        }
        if (!joined) {
            answer(decided); // off the lock: what the caller chains on its result runs here
        }
    }

    /** Stops taking writes and returns once those taken are finished. */
    void stop() {
        closing = true;
        lock.lock();
        try {
            work.signal();
        } finally {
            lock.unlock();
        }
        join(syncer.thread());
    }

    /** The committed state, for snapshots. */
    SnapshotSource snapshot() {
        return snapshot;
    }

    /** Decides {@code pending}'s transaction against the state including every write decided before it. */
    private Decided decide(Pending pending) {
        List<Transaction.Step> steps;
        try {
            steps = pending.txn().plan(decisionState);
        } catch (RuntimeException e) {
            return new Decided(pending, null, e, null);
        } catch (Throwable e) { // whatever goes wrong deciding one transaction fails it, never the store
            return new Decided(pending, null, unexpected(e), null);
        }
        long seq = decidedSeq;
        if (steps.stream().anyMatch(Transaction.Step::changes)) {
            seq++; // all the changes of one transaction share its seq: one commit, one seq
        }
        List<Outcome> results = new ArrayList<>(steps.size());
        List<Change> changes = new ArrayList<>(steps.size());
        for (Transaction.Step step : steps) {
            if (!step.changes()) { // a check or a patch that changes nothing (the app as it is), a delete of nothing
                results.add(new Outcome(0, step.writes() ? null : step.before()));
                continue;
            }
            String name = step.command().name();
            byte[] data = step.after();
            long expires = data == null ? 0 : step.command().expiresAfter(step.before());
            Entry after = data == null ? null : new Entry(data, seq, expires);
            boolean expired = data == null && step.command() instanceof Command.Delete d && d.expiry();
            changes.add(new Change(name, data, expires, expired));
            results.add(new Outcome(seq, after));
        }
        Commit commit = changes.isEmpty() ? null : new Commit(seq, changes);
        return new Decided(pending, new TxnOutcome(seq, commit != null, results), null, commit);
    }

    private static IllegalStateException unexpected(Throwable e) {
        LOG.log(System.Logger.Level.ERROR, "deciding a transaction failed", e);
        return new IllegalStateException("the write could not be decided: " + e, e);
    }

    /**
     * Not grouped (a persistence that keeps nothing: memory), under the lock: hands the decided write to the
     * persistence as the interface asks, publishes it, or runs the task. On failure the decided write is
     * swapped for its refusal in the caller's {@code decided}.
     */
    private void commitNow(Decided decided) {
        Commit commit = decided.commit();
        if (decided.pending().task() != null) {
            decided.pending().task().run();
            return;
        }
        if (commit == null) {
            return;
        }
        persistence.append(commit); // one record per commit: all of it or none after a crash
        try {
            persistence.write();
            syncPerPolicy();
        } catch (OutOfSpace e) { // nothing of it is in the journal: refuse it, the store goes on
            throw outOfSpace(e);
        } catch (IOException | RuntimeException e) {
            failStop(e);
            throw failure;
        }
        stats.batch(commit.changes().size());
        decidedSeq = commit.seq();
        lastSeq = commit.seq();
        publish(List.of(commit)); // before the acknowledgement: after a 204, a GET and the feed see the change
        persistence.committed(snapshot);
    }

    /**
     * Grouped, under the lock: the decided write joins the group the syncer takes next; its results join
     * the overlay, which the next decisions read.
     */
    private void join(Decided decided) {
        dropPublished();
        Commit commit = decided.commit();
        if (commit != null) {
            persistence.append(commit);
            List<String> names = new ArrayList<>(commit.changes().size());
            for (Change c : commit.changes()) {
                Entry after = c.data() == null ? null : new Entry(c.data(), commit.seq(), c.expires());
                inFlight.put(c.name(), new Overlaid(after, commit.seq()));
                names.add(c.name());
            }
            inFlightNames.add(new Written(names, commit.seq()));
            decidedSeq = commit.seq();
        }
        group.add(decided);
        if (group.size() == 1 || group.size() == gatherTarget) {
            work.signal(); // the syncer may be waiting for one, or gathering for as many
        }
    }

    /** How many apps the overlay holds now, for the tests of this package. */
    int overlaySize() {
        lock.lock();
        try {
            return inFlight.size();
        } finally {
            lock.unlock();
        }
    }

    private Entry overlaid(String name) {
        Overlaid o = inFlight.get(name);
        return o != null ? o.entry() : index.get(name);
    }

    /** Forgets the overlay's entries that the syncer has published to the index. */
    private void dropPublished() {
        long published = publishedSeq; // read before the index: the index holds everything up to it
        while (!inFlightNames.isEmpty() && inFlightNames.peekFirst().seq() <= published) {
            for (String name : inFlightNames.pollFirst().names()) {
                Overlaid o = inFlight.get(name);
                if (o != null && o.seq() <= published) {
                    inFlight.remove(name);
                }
            }
        }
    }

    /**
     * {@link #run}, and should an error escape it, the store stops taking writes and the group waiting
     * fails, instead of waiting forever on a dead thread.
     */
    private void runToTheEnd() {
        try {
            run();
        } catch (Throwable t) {
            failStop(t);
            lock.lock();
            try {
                group.forEach(d -> fail(d.pending(), failure));
                group = new ArrayList<>();
            } finally {
                lock.unlock();
            }
            throw t;
        }
    }

    private void run() {
        long pollNanos =
                config.fsync() == FsyncPolicy.INTERVAL ? config.fsyncInterval().toNanos() : IDLE_POLL_NANOS;
        while (true) {
            List<Decided> taken;
            boolean written;
            lock.lock();
            try {
                taken = take(pollNanos);
                if (taken == null) {
                    return;
                }
                written = !taken.isEmpty() && write(taken);
            } finally {
                lock.unlock();
            }
            if (written) {
                try {
                    syncAndAnswer(taken);
                } catch (Throwable t) { // anything unexpected must not leave clients waiting forever
                    failStop(t);
                    taken.forEach(d -> fail(d.pending(), failure));
                }
            }
            syncIfDue();
            probeSpaceIfDue();
        }
    }

    /**
     * Under the lock: the group decided since the last turn, empty when nothing came within {@code pollNanos}
     * (time for the periodic duties), or null once closing and every request taken is finished.
     */
    private List<Decided> take(long pollNanos) {
        while (group.isEmpty()) {
            if (closing && waiting.get() == 0) {
                return null;
            }
            try {
                if (work.awaitNanos(closing ? CLOSING_POLL_NANOS : pollNanos) <= 0 && !closing) {
                    // idle for a poll: the overlay lets go of what it holds (an import's million apps) now, not at
                    // the next write; never on the way of a write, whose join drops it as it goes
                    dropPublished();
                    return List.of();
                }
            } catch (InterruptedException e) {
                // nobody interrupts the syncer; closing is what ends it
            }
        }
        gather();
        List<Decided> taken = group;
        lastGroup = taken.size();
        group = new ArrayList<>();
        waiting.addAndGet(-taken.size());
        return taken;
    }

    /**
     * The adaptive commit delay: when the last group had more than one request, about as many are on their
     * way (their clients were just answered), so the syncer waits until the group is as large as the last
     * one, or for the last fdatasync's time (at most {@link #MAX_GATHER_NANOS}), whichever comes first, for
     * them to share this group's fdatasync instead of paying one of their own: in a virtual machine an
     * fdatasync costs a core about as long as it takes (docs/BENCHMARKS.md). A lone writer never waits.
     */
    private void gather() {
        if (lastGroup < 2 || closing || config.fsync() != FsyncPolicy.ALWAYS) {
            return;
        }
        long delay = Math.min(lastSyncTook, MAX_GATHER_NANOS);
        gatherTarget = lastGroup;
        while (delay > 0 && group.size() < lastGroup) {
            try {
                delay = work.awaitNanos(delay);
            } catch (InterruptedException e) {
                break;
            }
        }
        gatherTarget = 0;
    }

    /**
     * Under the lock, so nothing is appended meanwhile: writes the group's records. If that fails, the group
     * fails, and the overlay and the seqs go back to what is published (every group before this one is).
     * Returns false then.
     */
    private boolean write(List<Decided> taken) {
        RuntimeException refused = failure;
        if (refused == null && taken.stream().anyMatch(d -> d.commit() != null)) {
            try {
                persistence.write();
            } catch (OutOfSpace e) { // nothing of the group is in the journal: refuse it, the store goes on
                refused = outOfSpace(e);
            } catch (IOException | RuntimeException e) {
                failStop(e);
                refused = failure;
            }
        }
        if (refused != null) {
            RuntimeException r = refused;
            taken.forEach(d -> fail(d.pending(), r));
            inFlight.clear();
            inFlightNames.clear();
            decidedSeq = publishedSeq;
            return false;
        }
        return true;
    }

    /**
     * Off the lock: one fdatasync for the group (it began after its write returned), then publishes and
     * answers it in order; then runs its tasks, and a compaction that is due, under the lock.
     */
    private void syncAndAnswer(List<Decided> taken) {
        List<Commit> commits = new ArrayList<>();
        int changed = 0;
        boolean tasks = false;
        for (Decided d : taken) {
            if (d.commit() != null) {
                commits.add(d.commit());
                changed += d.commit().changes().size();
            }
            tasks |= d.pending().task() != null;
        }
        if (!commits.isEmpty()) {
            try {
                syncPerPolicy();
            } catch (IOException | RuntimeException e) { // an fsync is never retried: nothing after it is acknowledged
                failStop(e);
                taken.forEach(d -> fail(d.pending(), failure));
                return;
            }
            stats.batch(changed);
            long seq = commits.getLast().seq();
            lastSeq = seq;
            publish(commits); // before the acknowledgements: after a 204, a GET and the feed see the change
            publishedSeq = seq;
        }
        for (Decided d : taken) {
            if (d.pending().task() == null) {
                answer(d);
            }
        }
        if (!tasks && (commits.isEmpty() || !persistence.compactionDue())) {
            return;
        }
        lock.lock(); // nothing is written meanwhile: the journal holds only what is published
        try {
            if (!commits.isEmpty()) {
                persistence.committed(snapshot);
            }
            for (Decided d : taken) {
                if (d.pending().task() != null) {
                    d.pending().task().run();
                }
            }
        } finally {
            lock.unlock();
        }
        taken.stream().filter(d -> d.pending().task() != null).forEach(Writer::answer);
    }

    private static void answer(Decided d) {
        if (d.refusal() != null) {
            d.pending().result().completeExceptionally(d.refusal());
        } else {
            d.pending().result().complete(d.outcome());
        }
    }

    private void publish(List<Commit> commits) {
        try {
            stream.committed(commits);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "applying a committed batch failed", e);
        }
    }

    private void syncIfDue() {
        if (!unsynced || failure != null || config.fsync() != FsyncPolicy.INTERVAL) {
            return;
        }
        if (System.nanoTime() - lastSyncNanos < config.fsyncInterval().toNanos()) {
            return;
        }
        lock.lock(); // not beside a write: one may cut the journal (a compaction), closing the segment synced here
        try {
            unsynced = false;
            sync();
        } catch (IOException | RuntimeException e) {
            failStop(e);
        } finally {
            lock.unlock();
        }
    }

    /** Under fsync {@code always}, forces what was written; else leaves it to the interval's sync, if any. */
    private void syncPerPolicy() throws IOException {
        if (config.fsync() == FsyncPolicy.ALWAYS) {
            sync();
        } else {
            unsynced = true;
        }
    }

    private void sync() throws IOException {
        long start = System.nanoTime();
        persistence.sync();
        lastSyncNanos = System.nanoTime();
        lastSyncTook = lastSyncNanos - start;
        stats.synced(lastSyncTook);
    }

    private static void join(Thread thread) {
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Refuses writes from now until a probe finds room again. */
    private NoSpace outOfSpace(OutOfSpace cause) {
        NoSpace full = new NoSpace(
                cause.getMessage() + "; writes are refused until there is room on the disk "
                        + "(tried again every second), reads go on",
                cause);
        if (outOfSpace == null) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "the data directory's disk is full: " + cause.getMessage()
                            + "; refusing writes until there is room");
        }
        outOfSpace = full;
        probeAtMillis = clock.millis() + SPACE_RETRY_MILLIS;
        return full;
    }

    /** While the disk is full: about every second, check whether there is room again. */
    private void probeSpaceIfDue() {
        if (outOfSpace == null || failure != null || clock.millis() < probeAtMillis) {
            return;
        }
        lock.lock(); // the probe may start a segment: not while a write is appended or written
        try {
            persistence.probeSpace();
            outOfSpace = null;
            LOG.log(System.Logger.Level.INFO, "there is room on the disk again: writes resume");
        } catch (OutOfSpace e) {
            outOfSpace(e);
        } catch (IOException | RuntimeException e) {
            failStop(e);
        } finally {
            lock.unlock();
        }
    }

    /** After a failed write or fsync nothing more is written: the file's state is unknown (never retry an fsync). */
    private synchronized void failStop(Throwable cause) {
        if (failure == null) {
            LOG.log(System.Logger.Level.ERROR, "persistence failed; the store takes no more writes", cause);
            failure = new StoreUnavailable(
                    "the store stopped taking writes after a persistence failure: " + cause, cause);
        }
    }

    private static void fail(Pending pending, RuntimeException e) {
        if (pending.result() != null) {
            pending.result().completeExceptionally(e);
        }
    }

    private static StoreUnavailable shuttingDown() {
        return new StoreUnavailable("the store is shutting down", null);
    }
}
