package io.microstore.store;

import java.io.IOException;
import java.time.InstantSource;
import java.util.concurrent.CompletableFuture;

import io.microstore.commit.CommitStream;
import io.microstore.commit.Compaction;
import io.microstore.commit.Stats;

/**
 * The port an engine implements: it decides the order of writes (each a {@link Transaction}, a single
 * write being a transaction of one), checks its preconditions against the committed state, gives its
 * changes their seq, makes them durable, and only then hands them to the {@link CommitStream} (which
 * updates the index and the feed) and completes the transaction. The
 * {@link Store} owns reads, names and the feed, and never knows which engine it talks to.
 */
public interface Engine extends AutoCloseable {
    /**
     * Loads the durable state into {@code stream} (ending with {@link CommitStream#loaded}) and starts
     * taking commands. {@code committed} is the state the stream builds, for preconditions and snapshots.
     * Called once.
     */
    void start(Index committed, CommitStream stream) throws IOException;

    /**
     * Takes {@code txn}: all its commands commit in one commit with one seq (every change it makes gets
     * that seq as its version), or none does; a reader, a listing, the feed or a crash never sees part
     * of it. Decided by {@link Transaction#plan} against the committed state. The future completes once
     * the changes are durable and in the index, or with its refusal ({@link Transaction#refusal}).
     *
     * @throws StoreBusy when too many writes are waiting
     * @throws StoreUnavailable when the engine takes no writes now
     */
    CompletableFuture<TxnOutcome> submit(Transaction txn);

    /** The most commands one transaction may hold here: no limit locally, etcd's limit on one txn in cluster mode. */
    default int maxCommands() {
        return Integer.MAX_VALUE;
    }

    /**
     * Compacts what the engine keeps, after every command submitted before; completes when done. An
     * engine with nothing to compact completes with null.
     */
    CompletableFuture<Compaction> compact();

    /**
     * Returns once the index holds every write acknowledged (by any instance) before this call, so a read
     * of the index after it is linearizable. An engine whose index is the only place writes are committed
     * (local) returns at once.
     *
     * @throws StoreUnavailable when that cannot be made sure of in time (the instance is behind, or the
     *     engine cannot reach its cluster)
     */
    void awaitConsistent();

    /**
     * A client of the changes feed asked for the changes after {@code seq}, which this instance's feed has
     * not reached: when another instance may have committed it (and acknowledged it to the client), waits
     * until this one has applied it, as long as {@link #awaitConsistent} would wait. Returns the seq up to
     * which this instance has applied every commit now: {@code seq} or more once caught up, less when
     * {@code seq} is ahead of every commit (the feed then answers 410). An engine whose index is the only
     * place writes are committed (local) returns at once: a seq it has not reached does not exist.
     *
     * @throws StoreUnavailable when that cannot be found out in time (the engine cannot reach its cluster,
     *     or the instance stays behind)
     */
    default long catchUp(long seq) {
        return -1;
    }

    /**
     * The clock of expiry: a put's {@link Command.Put#expires} is read on it, and the engine deletes the
     * value once it passes (the local engine's may be a test's; etcd's leases run on etcd's own clocks).
     */
    default InstantSource clock() {
        return InstantSource.system();
    }

    /** Why the engine takes no writes now (failed, unreachable or closed), or null while it does. */
    String failure();

    /** Sizes and counts for metrics. */
    Stats stats();

    /** Reports batches and syncs to {@code events} from now on. */
    void observe(EngineEvents events);

    /** Where the data lives, for the start-up line and health, e.g. {@code in memory only} or a directory. */
    String describe();

    /** Stops taking commands, finishes those taken, and releases what the engine holds. */
    @Override
    void close();
}
