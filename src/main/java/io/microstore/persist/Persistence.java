package io.microstore.persist;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where the local engine's committed changes go: memory (nowhere) or the journal of a data directory.
 * The engine's single writer thread is the only caller of {@link #add}, {@link #write} and {@link #sync},
 * so implementations need no locking for those.
 */
public interface Persistence extends Closeable {
    /**
     * Reads back the durable state into {@code sink}: first the entries of the newest snapshot, then
     * every later mutation in sequence order.
     *
     * @return the sequence number of the last durable mutation (0 for an empty store)
     */
    long load(RecoverySink sink) throws IOException;

    /**
     * Adds the record of a put ({@code data} is compact JSON) whose value expires at {@code expires}
     * (epoch milliseconds, 0 = never) or, with {@code data} null, a delete to the next write.
     */
    void add(long seq, String name, byte[] data, long expires);

    /** {@link #add(long, String, byte[], long)} of a value that never expires, or a delete. */
    default void add(long seq, String name, byte[] data) {
        add(seq, name, data, 0);
    }

    /**
     * Adds the record of a transaction to the next write: all of {@code writes} at {@code seq}, which
     * recovery replays all or none of (one write is a plain record).
     */
    void add(long seq, List<Write> writes);

    /** Writes the records added since the last write, in the order added; durable only once {@link #sync} returns. */
    void write() throws IOException;

    /** Forces everything appended so far to stable storage. */
    void sync() throws IOException;

    /**
     * Called on the writer after each committed batch, with the committed state. The journal starts a
     * background compaction here once it has grown past its threshold. Must return quickly.
     */
    default void committed(SnapshotSource state) {
    }

    /**
     * Called on the writer: compact now (unless a compaction is running already) and complete the
     * returned future when the new snapshot is durable.
     */
    default CompletableFuture<Compaction> compact(SnapshotSource state) {
        return CompletableFuture.completedFuture(null);
    }

    /**
     * Why writes must wait for room on the disk, or null: set when {@link #load} or {@link #write}
     * found the disk full, cleared when a write or {@link #probeSpace} succeeds.
     */
    default OutOfSpace waitingForSpace() {
        return null;
    }

    /**
     * Called on the writer while {@link #waitingForSpace}: finishes the start-up work a full disk
     * postponed and checks that a write like the one that failed would fit now.
     *
     * @throws OutOfSpace while there is still no room
     */
    default void probeSpace() throws IOException {
    }

    /** Sizes and counts for metrics. */
    default PersistenceStats stats() {
        return PersistenceStats.NONE;
    }

    /** Where the data lives, for the start-up line, e.g. {@code in memory} or a directory. */
    String describe();

    /**
     * One change of a transaction: a put of {@code data} (compact JSON) to {@code name} expiring at
     * {@code expires} (epoch milliseconds, 0 = never), or, with data null, its delete.
     */
    record Write(String name, byte[] data, long expires) {
        public Write(String name, byte[] data) {
            this(name, data, 0);
        }
    }

    /** Receives recovered state from {@link #load}. */
    interface RecoverySink {
        /**
         * One app as a snapshot holds it: name, compact JSON, sequence number of its last change, and when
         * it expires (epoch milliseconds, 0 = never).
         */
        void restore(String name, byte[] data, long seq, long expires);

        /**
         * One change replayed from the journal after the snapshot: a put (expiring at {@code expires}, 0 =
         * never), or a delete when {@code data} is null. The changes of a transaction come one after the
         * other with one seq, all of them or none.
         */
        void replay(long seq, String name, byte[] data, long expires);

        /** Forget everything restored so far: the snapshot was damaged part-way; an older one follows. */
        void reset();
    }
}
