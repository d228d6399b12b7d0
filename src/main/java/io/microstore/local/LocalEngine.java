package io.microstore.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.InstantSource;
import java.util.concurrent.CompletableFuture;

import io.microstore.commit.CommitStream;
import io.microstore.commit.Compaction;
import io.microstore.commit.Stats;
import io.microstore.persist.OutOfSpace;
import io.microstore.persist.Persistence;
import io.microstore.store.Engine;
import io.microstore.store.EngineEvents;
import io.microstore.store.Index;
import io.microstore.store.NoSpace;
import io.microstore.store.StoreUnavailable;
import io.microstore.store.Transaction;
import io.microstore.store.TxnOutcome;

/**
 * The engine of one process: a {@link Writer} in front of {@link Persistence}, which is memory only or
 * the journal of a data directory. It guarantees what {@link Writer} describes; its
 * {@link Expirer} deletes the apps whose time to live has passed on its clock.
 */
public final class LocalEngine implements Engine {
    private final Persistence persistence;
    private final LocalConfig config;
    private final InstantSource clock;
    private volatile EngineEvents events = EngineEvents.NONE;
    private volatile Writer writer; // set once by start()
    private Expirer expirer; // set once by start()

    public LocalEngine(Persistence persistence, LocalConfig config) {
        this(persistence, config, InstantSource.system());
    }

    /** An engine whose expiry and probes for room on a full disk run on {@code clock} (a test's, to move time on at will). */
    public LocalEngine(Persistence persistence, LocalConfig config, InstantSource clock) {
        this.persistence = persistence;
        this.config = config;
        this.clock = clock;
    }

    @Override
    public void start(Index committed, CommitStream stream) throws IOException {
        expirer = new Expirer(clock, committed, this::submit, config.queueCapacity());
        CommitStream tracked = expirer.tracking(stream);
        long lastSeq = persistence.load(tracked);
        tracked.loaded(lastSeq);
        writer = new Writer(persistence, config, committed, tracked, lastSeq, events, clock);
        expirer.start(); // deletes what expired while the store was down before it serves
    }

    @Override
    public InstantSource clock() {
        return clock;
    }

    /**
     * Deletes every app whose time to live has passed on the clock now, and returns once those deletes
     * are committed: how many. The engine does this by itself (within a second of a deadline on a clock
     * that jumps); a test calls it after moving its clock on, to know that expiry is done.
     */
    public int expireDue() {
        return expirer.expireDue();
    }

    /** The writer, for the tests of this package. */
    Writer writer() {
        return writer;
    }

    /** The expiry, for the tests of this package. */
    Expirer expirer() {
        return expirer;
    }

    @Override
    public CompletableFuture<TxnOutcome> submit(Transaction txn) {
        Pending pending = new Pending(txn, new CompletableFuture<>());
        writer.enqueue(pending);
        return pending.result();
    }

    /** Runs under the writer's lock once the writes before it are durable and visible, so the snapshot covers them. */
    @Override
    public CompletableFuture<Compaction> compact() {
        CompletableFuture<Compaction> done = new CompletableFuture<>();
        Pending task = new Pending(
                null,
                new CompletableFuture<>(),
                () -> persistence.compact(writer.snapshot()).whenComplete((c, e) -> {
                    if (e != null) {
                        done.completeExceptionally(compactionFailed(e));
                    } else {
                        done.complete(c);
                    }
                }));
        writer.enqueue(task);
        // the task's own future fails when the store has failed or is closing before it ran
        return task.result().thenCompose(ignored -> done);
    }

    /** A compaction that found no room is retried later and harmed nothing: 507, like a write. */
    private static Throwable compactionFailed(Throwable e) {
        if (OutOfSpace.causedBy(e)) {
            return new NoSpace("compaction failed: " + e.getMessage() + "; it is tried again later", e);
        }
        return e instanceof IOException io ? new StoreUnavailable("compaction failed: " + io.getMessage(), io) : e;
    }

    /** The index is updated before a write is acknowledged: it holds every acknowledged write already. */
    @Override
    public void awaitConsistent() {}

    @Override
    public String failure() {
        StoreUnavailable failed = writer.failure();
        if (failed != null) {
            return failed.getMessage();
        }
        NoSpace full = writer.outOfSpace();
        if (full != null) {
            return full.getMessage();
        }
        if (writer.closing()) {
            return "the store is closed";
        }
        String dead = writer.threadFailure();
        return dead != null ? dead : expirer.failure();
    }

    @Override
    public Stats stats() {
        Writer started = writer;
        return persistence.stats().withQueued(started == null ? 0 : started.queued());
    }

    @Override
    public void observe(EngineEvents events) {
        this.events = events;
        Writer started = writer;
        if (started != null) {
            started.observe(events);
        }
    }

    @Override
    public String describe() {
        return persistence.describe();
    }

    /** Stops taking writes, finishes the queued ones, syncs and closes persistence. */
    @Override
    public void close() {
        if (writer.closing()) {
            return;
        }
        expirer.stop();
        writer.stop();
        try (Persistence closing = persistence) { // closed (and the directory released) even if the sync fails
            if (writer.failure() == null) {
                closing.sync();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("closing persistence failed", e);
        }
    }
}
