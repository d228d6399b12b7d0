package io.microstore.persist;

import java.io.Closeable;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;

import io.microstore.commit.Commit;
import io.microstore.commit.CommitStream;
import io.microstore.commit.Compaction;
import io.microstore.commit.Stats;

/**
 * Where the local engine's committed changes go: memory (nowhere) or the journal of a data directory.
 * The engine's writer calls {@link #append}, {@link #write} and {@link #sync} one at a time (under its lock),
 * except that a {@link #sync} may run beside an {@link #append}, so implementations need no locking for those.
 */
public interface Persistence extends Closeable {
    /**
     * Reads back the durable state into {@code stream}: first the apps of the newest snapshot, then every
     * later commit in seq order ({@link CommitStream#reload} first again if a damaged snapshot is given up
     * for an older one). Does not call {@link CommitStream#loaded}.
     *
     * @return the seq of the last durable commit (0 for an empty store)
     */
    long load(CommitStream stream) throws IOException;

    /**
     * Adds the record of {@code commit} to the next write: recovery replays all of its changes or none
     * (a commit of one change is a plain record, of more a transaction record).
     */
    void append(Commit commit);

    /** Writes the records added since the last write, in the order added; durable only once {@link #sync} returns. */
    void write() throws IOException;

    /** Forces everything appended so far to stable storage. */
    void sync() throws IOException;

    /**
     * True when {@link #sync} forces records to stable storage and so takes the disk's time (a journal);
     * false when it costs nothing (memory). The writer leaves the writes and syncs of a journal to its syncer
     * thread, whatever the fsync policy, and only then: a request's thread may be interrupted, and an interrupt
     * during a {@code FileChannel}'s write closes the channel.
     */
    default boolean forces() {
        return true;
    }

    /**
     * True when {@link #committed} would start a compaction now. Asked on the writer before it calls
     * {@link #committed}: a compaction cuts the journal at the last record written, so whatever was
     * written must be synced and in the state the snapshot reads before it starts.
     */
    default boolean compactionDue() {
        return false;
    }

    /**
     * Called on the writer after each committed batch, with the committed state. The journal starts a
     * background compaction here once it has grown past its threshold. Must return quickly.
     */
    default void committed(SnapshotSource state) {}

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
    default void probeSpace() throws IOException {}

    /** Sizes and counts for metrics. */
    default Stats stats() {
        return Stats.NONE;
    }

    /** Where the data lives, for the start-up line, e.g. {@code in memory} or a directory. */
    String describe();
}
