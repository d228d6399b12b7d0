package io.microstore.store;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.microstore.store.feed.ChangeFeed;

/**
 * The store's commit stream: into the index first, then the feed, so the feed never runs ahead of
 * reads. A reload writes over the index in place and removes only what the new state lacks at the
 * end, so a reader sees each app's old or new value throughout, never an emptied store.
 */
final class Applier implements CommitStream {
    private final Index index;
    private final ChangeFeed feed;
    private boolean loadedOnce; // engine thread only
    private Set<String> reloaded; // names restored or replayed since reload(); null when not reloading

    Applier(Index index, ChangeFeed feed) {
        this.index = index;
        this.feed = feed;
    }

    @Override
    public void restore(String name, byte[] data, long seq) {
        index.put(name, new Entry(data, seq));
        seen(name);
    }

    @Override
    public void replayed(Mutation mutation) {
        index.apply(mutation);
        feed.replayed(mutation);
        seen(mutation.name());
    }

    @Override
    public void reload() {
        reloaded = new HashSet<>();
    }

    @Override
    public void loaded(long lastSeq) {
        if (reloaded != null) {
            removeAllBut(reloaded);
            reloaded = null;
        }
        if (loadedOnce) { // a reload of a running store (an engine that re-listed): the feed's window is void
            feed.reset(lastSeq);
        } else {
            loadedOnce = true;
            feed.loaded(lastSeq);
        }
    }

    @Override
    public void committed(List<Mutation> batch) {
        for (Mutation m : batch) {
            index.apply(m);
        }
        feed.committed(batch);
    }

    private void seen(String name) {
        if (reloaded != null) {
            reloaded.add(name);
        }
    }

    /** Removes the names the reloaded state did not hold (iterating the skip list allows removal). */
    private void removeAllBut(Set<String> kept) {
        for (Map.Entry<String, Entry> e : index.entries()) {
            if (!kept.contains(e.getKey())) {
                index.remove(e.getKey());
            }
        }
    }
}
