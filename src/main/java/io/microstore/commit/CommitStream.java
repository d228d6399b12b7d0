package io.microstore.commit;

import java.util.List;

/**
 * What an engine emits, on one thread at a time, in seq order: first the loaded state (a snapshot's apps,
 * then the commits replayed after it), then every committed batch, each only once it is durable. The
 * store applies it to its index and then its changes feed; persistence feeds a load into it. Neither
 * knows who is at the other end.
 */
public interface CommitStream {
    /**
     * One app of the loaded state (a snapshot, or a listing): not a change, so not in the feed.
     * {@code expires}: when its value expires (epoch milliseconds, 0 = never).
     */
    void restore(String name, byte[] data, long seq, long expires);

    /** A commit applied while loading (the journal after the snapshot): in the index and the feed's window. */
    void replayed(Commit commit);

    /**
     * The commits replayed next are every one after seq {@code seq}: the feed's window then reaches
     * back to {@code seq}, not only to the first commit replayed, for an engine whose seqs have gaps
     * (etcd's revisions also count other datasets' writes). Called before the replays it announces; a
     * second call (a load that starts over) drops what was replayed before it from the window.
     */
    default void replaysAfter(long seq) {}

    /**
     * What follows replaces the state loaded so far (an older snapshot after a damaged one, or an
     * engine's re-list): restores and replays write over it name by name, and {@link #loaded} then
     * removes the names they did not mention. Until then readers see each app's old or new value,
     * never an emptied store.
     */
    void reload();

    /**
     * Loading is done; {@code lastSeq} is the seq of the last durable commit. After a {@link #reload} of
     * a store that had loaded before, the feed's window restarts at {@code lastSeq} (its clients get 410).
     */
    void loaded(long lastSeq);

    /** A durable batch of commits, in seq order. Must return quickly. */
    void committed(List<Commit> batch);

    /** Takes everything and keeps nothing: for a load that only checks the files or wants their last seq. */
    CommitStream IGNORED = new CommitStream() {
        @Override
        public void restore(String name, byte[] data, long seq, long expires) {}

        @Override
        public void replayed(Commit commit) {}

        @Override
        public void reload() {}

        @Override
        public void loaded(long lastSeq) {}

        @Override
        public void committed(List<Commit> batch) {}
    };
}
