package io.microstore.store;

import java.util.List;

/**
 * What an {@link Engine} emits, on one thread at a time, in seq order: first the loaded state, then
 * every committed batch, each only once it is durable. The {@link Store} applies it to the index and
 * then the change feed, which do not know which engine produced it.
 */
public interface CommitStream {
    /**
     * One app of the loaded state (a snapshot, or a listing): not a change, so not in the feed.
     * {@code expires}: when its value expires (epoch milliseconds, 0 = never).
     */
    void restore(String name, byte[] data, long seq, long expires);

    /** {@link #restore(String, byte[], long, long)} of a value that never expires. */
    default void restore(String name, byte[] data, long seq) {
        restore(name, data, seq, 0);
    }

    /** A change applied while loading (the journal after the snapshot): in the index and the feed's window. */
    void replayed(Mutation mutation);

    /**
     * The changes replayed next are every change after seq {@code seq}: the feed's window then reaches
     * back to {@code seq}, not only to the first change replayed, for an engine whose seqs have gaps
     * (etcd's revisions also count other datasets' writes). Called before the replays it announces; a
     * second call (a load that starts over) drops what was replayed before it from the window.
     */
    default void replaysAfter(long seq) {
    }

    /**
     * What follows replaces the state loaded so far (an older snapshot after a damaged one, or an
     * engine's re-list): restores and replays write over it name by name, and {@link #loaded} then
     * removes the names they did not mention. Until then readers see each app's old or new value,
     * never an emptied store.
     */
    void reload();

    /**
     * Loading is done; {@code lastSeq} is the seq of the last durable change. After a {@link #reload} of
     * a store that had loaded before, the feed's window restarts at {@code lastSeq} (its clients get 410).
     */
    void loaded(long lastSeq);

    /** A durable batch of changes, in seq order. Must return quickly. */
    void committed(List<Mutation> batch);
}
