package io.microstore.local;

import java.io.IOException;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
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
 * The local engine's single writer: one platform thread that drains what has queued, decides each
 * transaction ({@link Transaction#plan}: a single write is one of one command) against the state
 * including the batch's earlier ones (conditions and versions only: patches come computed, see
 * {@link io.microstore.store.Prepared}, so the writer only writes), gives the changes of each the next sequence number (one seq for all
 * of a transaction's changes, one journal record for them), writes the batch to {@link Persistence} and
 * syncs it per the fsync policy (group commit), and only then hands it to the {@link CommitStream}
 * (index, then feed) and completes the requests. Nothing is visible or acknowledged before it is durable.
 *
 * <p>With fsync {@code always} on a journal the sync is pipelined: the writer writes a batch and hands it
 * to a second thread, the syncer, and goes on deciding and writing the next batches while that fdatasync
 * is in flight; the syncer's next fdatasync covers every batch handed to it meanwhile. A batch is
 * published and acknowledged only after an fdatasync that began after its write returned, and in the
 * order written. The writer decides against the state including the batches written and not yet
 * synced (its in-flight overlay), which no reader sees; a refusal that rests on one of them is answered
 * once it is durable, with the batch it came in. Tasks, compaction and the space probe wait until
 * the syncer has caught up, so they see (and cut the journal at) a state that is durable and visible.
 *
 * <p>A full disk is not fail-stop: the batch whose write failed for lack of space gets {@link NoSpace}
 * (persistence has cut its partial records off again), later writes get it at once, and the writer
 * probes for room about every second and takes writes again once there is some. A failed fsync, or
 * any other failed write, is fail-stop.
 */
final class Writer {
    private static final System.Logger LOG = System.getLogger(Writer.class.getName());
    private static final int MAX_BATCH = 1024;
    private static final long IDLE_POLL_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long SPACE_RETRY_MILLIS = 1000;
    /** The longest the writer waits for more requests to join a batch while a sync is in flight. */
    private static final long MAX_GATHER_NANOS = TimeUnit.MICROSECONDS.toNanos(200);
    /** Queued by {@link #stop()} to wake the thread; carries no command. */
    private static final Pending WAKE = new Pending(null, null, null);
    /** Handed to the syncer last: it ends once it has taken everything before it. */
    private static final Written END = new Written(List.of(), List.of(), null, null, 0, 0);

    /**
     * A batch written and handed to the syncer: its requests, its commits (empty when it wrote nothing but
     * must be answered after those before it), the outcomes and refusals to answer with once synced.
     */
    private record Written(
            List<Pending> batch,
            List<Commit> commits,
            TxnOutcome[] outcomes,
            RuntimeException[] refusals,
            long seq,
            int changed) {}

    /** An app's state in a batch written and not yet synced: its entry (null when deleted) at {@code seq}. */
    private record Overlaid(Entry entry, long seq) {}

    /** The names a written batch changed, up to its last {@code seq}: dropped from the overlay once published. */
    private record Names(List<String> names, long seq) {}

    private final Persistence persistence;
    private final LocalConfig config;
    private final InstantSource clock;
    private final Index index;
    private final SnapshotSource snapshot;
    private final CommitStream stream;
    private final BlockingQueue<Pending> queue;
    private final EssentialThread thread;
    private volatile long lastSeq;
    private volatile boolean closing;
    private volatile StoreUnavailable failure;
    private volatile NoSpace outOfSpace; // while the disk is full: the refusal for every write
    private volatile EngineEvents stats;
    /** Null unless the sync is pipelined (fsync always on a journal): the syncer's thread and its queue. */
    private final EssentialThread syncer;

    private final BlockingQueue<Written> written = new LinkedBlockingQueue<>();
    /** Guards the writer's waits for the syncer; the syncer notifies after each group it finished. */
    private final Object progress = new Object();
    /** Batches the syncer has finished (published and answered, or failed). */
    private volatile long processed;
    /** The seq up to which the syncer has published to the index (the overlay's entries up to it can go). */
    private volatile long publishedSeq;
    /**
     * Touched by the syncer only: set once a sync failed. A failure of the writer's (a write that failed)
     * does not stop the syncer from syncing and answering what was written whole before it.
     */
    private boolean syncFailed;
    /** While the syncer is in an fdatasync. */
    private volatile boolean syncing;
    /** While the writer waits for more requests during a sync ({@link #gather}). */
    private volatile boolean gathering;
    /** How long the syncer's last fdatasync took. */
    private volatile long lastSyncTook;
    /** Requests handed to the syncer and not yet answered: bounded by the queue's capacity, as if still queued. */
    private final AtomicInteger unanswered = new AtomicInteger();
    // Touched by the writer thread only.
    private long handed; // batches handed to the syncer
    private long writtenSeq; // of the last commit written: ahead of lastSeq while the syncer syncs it
    private final Map<String, Overlaid> inFlight = new HashMap<>();
    private final ArrayDeque<Names> inFlightNames = new ArrayDeque<>();
    private boolean unsynced;
    private long lastSyncNanos = System.nanoTime();
    private long probeAtMillis;

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
        this.writtenSeq = lastSeq;
        this.queue = new LinkedBlockingQueue<>(config.queueCapacity());
        OutOfSpace full = persistence.waitingForSpace(); // started on a full disk
        if (full != null) {
            outOfSpace(full);
        }
        this.syncer = config.fsync() == FsyncPolicy.ALWAYS && persistence.forces()
                ? EssentialThread.start("microstore-syncer", "the syncer", this::syncUntilEnd)
                : null;
        this.thread = EssentialThread.start("microstore-writer", "the writer", this::runToTheEnd);
    }

    long lastSeq() {
        return lastSeq;
    }

    StoreUnavailable failure() {
        return failure;
    }

    /** Why the writer thread (or the syncer's) is gone although the writer was not stopped, or null. */
    String threadFailure() {
        if (closing) {
            return null;
        }
        String dead = thread.failure();
        return dead == null && syncer != null ? syncer.failure() : dead;
    }

    /** Why writes are refused until there is room on the disk, or null. */
    NoSpace outOfSpace() {
        return outOfSpace;
    }

    boolean closing() {
        return closing;
    }

    int queued() {
        return queue.size();
    }

    void observe(EngineEvents stats) {
        this.stats = stats;
    }

    /**
     * Queues a command or task.
     *
     * @throws StoreBusy when the queue is full
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
        if (closing) {
            throw shuttingDown();
        }
        if (!queue.offer(pending)) {
            throw new StoreBusy(config.queueCapacity());
        }
        // The writer may have died between the check above and the offer, and failed what was queued.
        failed = failure;
        if (failed != null && queue.remove(pending)) {
            throw failed;
        }
        // close() may have let the writer finish between the check above and the offer.
        if (closing && queue.remove(pending)) {
            throw shuttingDown();
        }
    }

    /** Stops taking writes and returns once the queued ones are finished. */
    void stop() {
        closing = true;
        queue.offer(WAKE);
        try {
            thread.thread().join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * {@link #run}, and should an error escape it (an Error while syncing or probing for room), the store
     * stops taking writes and the queued ones fail, instead of waiting forever on a dead thread.
     */
    private void runToTheEnd() {
        try {
            run();
            awaitSyncer(() -> processed == handed); // everything written is answered before stop() returns
        } catch (Throwable t) {
            failStop(t);
            for (Pending p = queue.poll(); p != null; p = queue.poll()) {
                fail(p, failure);
            }
            throw t;
        } finally {
            if (syncer != null) {
                written.add(END); // the syncer answers what it has (failing it after a failure) and ends
                join(syncer.thread());
            }
        }
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

    private void run() {
        List<Pending> batch = new ArrayList<>(MAX_BATCH);
        long pollNanos =
                config.fsync() == FsyncPolicy.INTERVAL ? config.fsyncInterval().toNanos() : IDLE_POLL_NANOS;
        while (true) {
            if (syncer != null && unanswered.get() >= config.queueCapacity()) {
                // what waits on the syncer counts against the queue's bound, so memory stays bounded
                awaitSyncer(() -> unanswered.get() < config.queueCapacity() || failure != null);
            }
            Pending first;
            try {
                first = queue.poll(pollNanos, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                first = null;
            }
            if (first != null) {
                if (syncing) {
                    gather();
                }
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
                try {
                    commit(batch);
                } catch (Throwable t) { // anything unexpected must not leave clients waiting forever
                    failStop(t);
                    batch.forEach(p -> fail(p, failure));
                }
                batch.clear();
            }
            syncIfDue();
            probeSpaceIfDue();
            if (closing && queue.isEmpty()) {
                return;
            }
        }
    }

    private void commit(List<Pending> batch) {
        RuntimeException refused = failure != null ? failure : outOfSpace; // queued before it happened
        if (refused != null) {
            batch.forEach(p -> fail(p, refused));
            return;
        }
        dropPublished();
        Map<String, Entry> overlay = new HashMap<>(); // this batch's uncommitted results; null = deleted
        Function<String, Entry> state = name -> {
            if (overlay.containsKey(name)) {
                return overlay.get(name);
            }
            Overlaid written = inFlight.get(name); // empty unless the sync is pipelined
            return written != null ? written.entry() : index.get(name);
        };
        List<Commit> commits = new ArrayList<>(batch.size());
        int changed = 0;
        TxnOutcome[] outcomes = new TxnOutcome[batch.size()];
        // A refusal may rest on an earlier transaction of this batch (a 412 after its write): it is answered with
        // the outcomes, once that write is durable and visible, never before (a client could read the old value
        // after it, and a crash could undo what it saw).
        RuntimeException[] refusals = new RuntimeException[batch.size()];
        long seq = writtenSeq;
        for (int i = 0; i < batch.size(); i++) {
            Transaction txn = batch.get(i).txn();
            if (txn == null) {
                continue; // a task or the wake-up marker
            }
            List<Transaction.Step> steps;
            try {
                steps = txn.plan(state);
            } catch (RuntimeException e) {
                refusals[i] = e;
                continue;
            } catch (Throwable e) { // whatever goes wrong deciding one transaction fails it, never the store
                LOG.log(System.Logger.Level.ERROR, "deciding a transaction failed", e);
                refusals[i] = new IllegalStateException("the write could not be decided: " + e, e);
                continue;
            }
            if (steps.stream().anyMatch(Transaction.Step::changes)) {
                seq++; // all the changes of one transaction share its seq: one commit, one seq
            }
            List<Outcome> results = new ArrayList<>(steps.size());
            List<Change> changes = new ArrayList<>(steps.size());
            for (Transaction.Step step : steps) {
                if (!step
                        .changes()) { // a check or a patch that changes nothing (the app as it is), a delete of nothing
                    results.add(new Outcome(0, step.writes() ? null : step.before()));
                    continue;
                }
                String name = step.command().name();
                byte[] data = step.after();
                long expires = data == null ? 0 : step.command().expiresAfter(step.before());
                Entry after = data == null ? null : new Entry(data, seq, expires);
                overlay.put(name, after);
                boolean expired = data == null && step.command() instanceof Command.Delete d && d.expiry();
                changes.add(new Change(name, data, expires, expired));
                results.add(new Outcome(seq, after));
            }
            if (!changes.isEmpty()) {
                commits.add(new Commit(seq, changes));
                changed += changes.size();
            }
            outcomes[i] = new TxnOutcome(seq, !changes.isEmpty(), results);
        }
        if (!commits.isEmpty()) {
            try {
                commits.forEach(persistence::append); // one record per commit: all of it or none after a crash
                persistence.write();
                if (syncer != null) {
                    // the syncer syncs, counts and publishes it
                } else if (config.fsync() == FsyncPolicy.ALWAYS) {
                    sync();
                    stats.batch(changed);
                } else {
                    unsynced = true;
                    stats.batch(changed);
                }
            } catch (OutOfSpace e) { // nothing of the batch is in the journal: refuse it, the store goes on
                NoSpace full = outOfSpace(e);
                batch.forEach(p -> fail(p, full));
                return;
            } catch (IOException | RuntimeException e) {
                failStop(e);
                batch.forEach(p -> fail(p, failure)); // a no-op for those refused already
                return;
            }
            writtenSeq = seq;
        }
        if (syncer != null && (!commits.isEmpty() || handed != processed)) {
            // answered by the syncer, after those written before it: a refusal may rest on one of them
            handToSyncer(batch, commits, overlay, outcomes, refusals, seq, changed);
            return;
        }
        if (!commits.isEmpty()) {
            lastSeq = seq;
            publish(commits); // before the acknowledgements: after a 204, a GET and the feed see the change
        }
        for (int i = 0; i < outcomes.length; i++) {
            if (outcomes[i] != null) {
                batch.get(i).result().complete(outcomes[i]);
            } else if (refusals[i] != null) {
                batch.get(i).result().completeExceptionally(refusals[i]);
            }
        }
        if (!commits.isEmpty()) {
            persistence.committed(snapshot);
        }
        for (Pending p : batch) {
            if (p.task() != null) {
                p.task().run();
                p.result().complete(null);
            }
        }
    }

    /**
     * The pipelined end of {@link #commit}: the batch's results join the in-flight overlay, the syncer
     * takes the batch, and the writer goes on; only a task, or a compaction that is due, waits until the
     * syncer has caught up (both must see everything written as durable and visible).
     */
    private void handToSyncer(
            List<Pending> batch,
            List<Commit> commits,
            Map<String, Entry> overlay,
            TxnOutcome[] outcomes,
            RuntimeException[] refusals,
            long seq,
            int changed) {
        if (!overlay.isEmpty()) {
            List<String> names = new ArrayList<>(overlay.size());
            for (Map.Entry<String, Entry> e : overlay.entrySet()) {
                inFlight.put(e.getKey(), new Overlaid(e.getValue(), seq));
                names.add(e.getKey());
            }
            inFlightNames.add(new Names(names, seq));
        }
        List<Pending> requests = List.copyOf(batch); // the writer reuses its list
        unanswered.addAndGet(requests.size());
        boolean tasks = false;
        for (Pending p : requests) {
            tasks |= p.task() != null;
        }
        handed++;
        written.add(new Written(requests, commits, outcomes, refusals, seq, changed));
        boolean compact = !commits.isEmpty() && persistence.compactionDue();
        if (!tasks && !compact) {
            return;
        }
        awaitSyncer(() -> processed == handed);
        if (failure != null) {
            requests.forEach(p -> {
                if (p.task() != null) {
                    fail(p, failure);
                }
            });
            return;
        }
        if (compact) {
            persistence.committed(snapshot);
        }
        for (Pending p : requests) {
            if (p.task() != null) {
                p.task().run();
                p.result().complete(null);
            }
        }
    }

    /**
     * The adaptive commit delay: while a sync is in flight, others are waiting on it and more requests are
     * on their way (their clients were just answered), and whatever the writer writes now waits for the
     * next sync anyway. So it waits a little, up to half the last sync's time and at most
     * {@link #MAX_GATHER_NANOS}, or until the sync ends, for them to arrive and share one write and one
     * wake-up instead of one each. A lone writer never waits: with no sync in flight it writes at once.
     */
    private void gather() {
        long delay = Math.min(lastSyncTook / 2, MAX_GATHER_NANOS);
        if (delay <= 0) {
            return;
        }
        gathering = true;
        if (syncing) { // the syncer unparks the writer when the sync ends; checked after saying so
            LockSupport.parkNanos(this, delay);
        }
        gathering = false;
    }

    /** Forgets the in-flight overlay's entries that the syncer has published to the index. */
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

    /** Waits on the writer until {@code done}, or until the syncer has died (then fails what it held). */
    private void awaitSyncer(BooleanSupplier done) {
        if (syncer == null) {
            return;
        }
        synchronized (progress) {
            while (!done.getAsBoolean()) {
                if (!syncer.thread().isAlive()) {
                    failStop(new IllegalStateException(syncer.failure()));
                    for (Written w = written.poll(); w != null; w = written.poll()) {
                        failAll(w, failure);
                    }
                    processed = handed;
                    return;
                }
                try {
                    progress.wait(100);
                } catch (InterruptedException e) {
                    // nobody interrupts the writer; the syncer's progress is what ends the wait
                }
            }
        }
    }

    /**
     * The syncer's loop: takes every batch written since its last sync, syncs once (an fdatasync that began
     * after each of them was written), then publishes them in order and answers them. After a failed sync
     * it syncs nothing more and fails whatever it takes.
     */
    private void syncUntilEnd() {
        List<Written> group = new ArrayList<>();
        while (true) {
            Written first;
            try {
                first = written.take();
            } catch (InterruptedException e) {
                continue; // nobody interrupts the syncer; END is what stops it
            }
            group.add(first);
            written.drainTo(group);
            boolean end = group.getLast() == END; // handed last of all, by the writer as it ends
            if (end) {
                group.removeLast();
            }
            int requests = 0;
            for (Written w : group) {
                requests += w.batch().size();
            }
            try {
                answer(group);
            } catch (Throwable t) { // anything unexpected must not leave clients waiting forever
                syncFailed = true;
                failStop(t);
                group.forEach(w -> failAll(w, failure));
            }
            unanswered.addAndGet(-requests);
            processed += group.size(); // only the syncer writes it
            synchronized (progress) {
                progress.notifyAll();
            }
            group.clear();
            if (end) {
                return;
            }
        }
    }

    private void answer(List<Written> group) {
        if (syncFailed) { // an fsync is never retried: nothing after a failed one is acknowledged
            group.forEach(w -> failAll(w, failure));
            return;
        }
        List<Commit> commits = new ArrayList<>();
        for (Written w : group) {
            commits.addAll(w.commits());
        }
        if (!commits.isEmpty()) {
            syncing = true;
            try {
                long start = System.nanoTime();
                persistence.sync();
                lastSyncTook = System.nanoTime() - start;
                stats.synced(lastSyncTook);
            } catch (IOException | RuntimeException e) {
                syncFailed = true;
                failStop(e);
                group.forEach(w -> failAll(w, failure));
                return;
            } finally {
                syncing = false;
                if (gathering) {
                    LockSupport.unpark(thread.thread()); // the sync it waited on has ended: write now
                }
            }
            for (Written w : group) {
                if (!w.commits().isEmpty()) {
                    stats.batch(w.changed());
                }
            }
            long seq = commits.getLast().seq();
            lastSeq = seq;
            publish(commits); // before the acknowledgements: after a 204, a GET and the feed see the change
            publishedSeq = seq;
        }
        for (Written w : group) {
            for (int i = 0; i < w.outcomes().length; i++) {
                if (w.outcomes()[i] != null) {
                    w.batch().get(i).result().complete(w.outcomes()[i]);
                } else if (w.refusals()[i] != null) {
                    w.batch().get(i).result().completeExceptionally(w.refusals()[i]);
                }
            }
        }
    }

    /** Fails the requests of a written batch (its tasks are the writer's to run or fail). */
    private static void failAll(Written w, RuntimeException e) {
        for (Pending p : w.batch()) {
            if (p.task() == null) {
                fail(p, e);
            }
        }
    }

    private void publish(List<Commit> commits) {
        try {
            stream.committed(commits);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "applying a committed batch failed", e);
        }
    }

    /** The committed state, for snapshots. */
    SnapshotSource snapshot() {
        return snapshot;
    }

    private void syncIfDue() {
        if (!unsynced || failure != null || config.fsync() != FsyncPolicy.INTERVAL) {
            return;
        }
        long now = System.nanoTime();
        if (now - lastSyncNanos < config.fsyncInterval().toNanos()) {
            return;
        }
        try {
            sync();
        } catch (IOException | RuntimeException e) {
            failStop(e);
        }
    }

    private void sync() throws IOException {
        long start = System.nanoTime();
        persistence.sync();
        lastSyncNanos = System.nanoTime();
        unsynced = false;
        stats.synced(lastSyncNanos - start);
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
        awaitSyncer(() -> processed == handed); // the probe may start a segment: not under a sync in flight
        try {
            persistence.probeSpace();
            outOfSpace = null;
            LOG.log(System.Logger.Level.INFO, "there is room on the disk again: writes resume");
        } catch (OutOfSpace e) {
            outOfSpace(e);
        } catch (IOException | RuntimeException e) {
            failStop(e);
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
