package io.microstore.persist;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.microstore.store.Index;
import io.microstore.store.Mutation;

/**
 * Where committed mutations go. The store's single worker is the only caller of {@link #append}
 * and {@link #sync}, so implementations need no locking for those. Shaped so that a networked
 * engine can replace the local journal: load, append a batch, sync, close.
 */
public interface Persistence extends Closeable {
    /**
     * Reads back the durable state into {@code sink}: first the entries of the newest snapshot, then
     * every later mutation in sequence order.
     *
     * @return the sequence number of the last durable mutation (0 for an empty store)
     */
    long load(RecoverySink sink) throws IOException;

    /** Writes a batch of mutations in sequence order; durable only once {@link #sync} returns. */
    void append(List<Mutation> batch) throws IOException;

    /** Forces everything appended so far to stable storage. */
    void sync() throws IOException;

    /**
     * Called on the worker after each committed batch, with the committed state. The journal starts a
     * background compaction here once it has grown past its threshold. Must return quickly.
     */
    default void committed(Index state) {
    }

    /**
     * Called on the worker: compact now (unless a compaction is running already) and complete the
     * returned future when the new snapshot is durable.
     */
    default CompletableFuture<Compaction> compact(Index state) {
        return CompletableFuture.completedFuture(null);
    }

    /** Sizes and counts for metrics. */
    default PersistenceStats stats() {
        return PersistenceStats.NONE;
    }

    /** Where the data lives, for the start-up line, e.g. {@code in memory} or a directory. */
    String describe();

    /** Receives recovered state from {@link #load}. */
    interface RecoverySink {
        /** One app as a snapshot holds it: name, compact JSON, sequence number of its last change. */
        void restore(String name, byte[] data, long seq);

        /** One mutation replayed from the journal after the snapshot. */
        void replay(Mutation mutation);

        /** Forget everything restored so far: the snapshot was damaged part-way; an older one follows. */
        void reset();
    }
}
