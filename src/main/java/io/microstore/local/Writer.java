package io.microstore.local;

import java.io.IOException;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
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
    /** Queued by {@link #stop()} to wake the thread; carries no command. */
    private static final Pending WAKE = new Pending(null, null, null);

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
    // Touched by the writer thread only.
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
            for (Map.Entry<String, Entry> e : index.entries()) {
                app.accept(
                        e.getKey(),
                        e.getValue().data(),
                        e.getValue().seq(),
                        e.getValue().expires());
            }
        };
        this.stream = stream;
        this.lastSeq = lastSeq;
        this.queue = new LinkedBlockingQueue<>(config.queueCapacity());
        OutOfSpace full = persistence.waitingForSpace(); // started on a full disk
        if (full != null) {
            outOfSpace(full);
        }
        this.thread = EssentialThread.start("microstore-writer", "the writer", this::runToTheEnd);
    }

    long lastSeq() {
        return lastSeq;
    }

    StoreUnavailable failure() {
        return failure;
    }

    /** Why the writer thread is gone although the writer was not stopped, or null. */
    String threadFailure() {
        return closing ? null : thread.failure();
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
        } catch (Throwable t) {
            failStop(t);
            for (Pending p = queue.poll(); p != null; p = queue.poll()) {
                fail(p, failure);
            }
            throw t;
        }
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(MAX_BATCH);
        long pollNanos =
                config.fsync() == FsyncPolicy.INTERVAL ? config.fsyncInterval().toNanos() : IDLE_POLL_NANOS;
        while (true) {
            Pending first;
            try {
                first = queue.poll(pollNanos, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                first = null;
            }
            if (first != null) {
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
        Map<String, Entry> overlay = new HashMap<>(); // this batch's uncommitted results; null = deleted
        Function<String, Entry> state = name -> overlay.containsKey(name) ? overlay.get(name) : index.get(name);
        List<Commit> commits = new ArrayList<>(batch.size());
        int changed = 0;
        TxnOutcome[] outcomes = new TxnOutcome[batch.size()];
        // A refusal may rest on an earlier transaction of this batch (a 412 after its write): it is answered with
        // the outcomes, once that write is durable and visible, never before (a client could read the old value
        // after it, and a crash could undo what it saw).
        RuntimeException[] refusals = new RuntimeException[batch.size()];
        long seq = lastSeq;
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
                if (config.fsync() == FsyncPolicy.ALWAYS) {
                    sync();
                } else {
                    unsynced = true;
                }
                stats.batch(changed);
            } catch (OutOfSpace e) { // nothing of the batch is in the journal: refuse it, the store goes on
                NoSpace full = outOfSpace(e);
                batch.forEach(p -> fail(p, full));
                return;
            } catch (IOException | RuntimeException e) {
                failStop(e);
                batch.forEach(p -> fail(p, failure)); // a no-op for those refused already
                return;
            }
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
    private void failStop(Throwable cause) {
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
