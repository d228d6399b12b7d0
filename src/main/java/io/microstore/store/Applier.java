package io.microstore.store;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.microstore.commit.Change;
import io.microstore.commit.Commit;
import io.microstore.commit.CommitStream;
import io.microstore.store.feed.ChangeFeed;

/**
 * The store's commit stream: into the index first, then the feed, so the feed never runs ahead of
 * reads. A reload writes over the index in place and removes only what the new state lacks at the
 * end, so a reader sees each app's old or new value throughout, never an emptied store.
 *
 * <p>It keeps the heap the stored data takes within {@code maxBytes}: the feed's window may hold
 * overwritten and deleted values only in the room the index leaves ({@link ChangeFeed#trim}), so a
 * DELETE frees room at once, and the index plus the feed never hold more than the quota (beyond what
 * writes in flight overshoot it by), also while a data directory is replayed at start.
 */
final class Applier implements CommitStream {
    private final Index index;
    private final ChangeFeed feed;
    private final long maxBytes;
    private boolean loadedOnce; // engine thread only
    private Set<String> reloaded; // names restored or replayed since reload(); null when not reloading

    Applier(Index index, ChangeFeed feed, long maxBytes) {
        this.index = index;
        this.feed = feed;
        this.maxBytes = maxBytes;
    }

    @Override
    public void restore(String name, byte[] data, long seq, long expires) {
        Entry entry = new Entry(data, seq, expires);
        if (loadedOnce || !index.restoreInOrder(name, entry)) { // a first load's snapshot needs no supersede: all new
            supersede(name);
            index.put(name, entry);
        }
        seen(name);
        trimFeed();
    }

    @Override
    public void replayed(Commit commit) {
        feed.replayed(commit, apply(commit));
        commit.changes().forEach(change -> seen(change.name()));
        trimFeed();
    }

    @Override
    public void replaysAfter(long seq) {
        feed.reset(seq);
    }

    @Override
    public void reload() {
        reloaded = new HashSet<>();
    }

    @Override
    public void loaded(long lastSeq) {
        index.settle();
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
    public void committed(List<Commit> batch) {
        List<Entry[]> priors = new ArrayList<>(batch.size());
        batch.forEach(commit -> priors.add(apply(commit)));
        feed.committed(batch, priors);
        trimFeed();
    }

    /**
     * Applies the changes of one commit together, so that no reader of the index sees part of them; returns
     * the entries they replaced (null where an app was absent), the priors the feed keeps for live queries.
     */
    private Entry[] apply(Commit commit) {
        Entry[] priors = new Entry[commit.changes().size()];
        if (priors.length == 1) {
            priors[0] = apply(commit.seq(), commit.only()); // one change needs no lock: it swaps one entry
        } else {
            index.together(() -> {
                for (int i = 0; i < priors.length; i++) {
                    priors[i] = apply(commit.seq(), commit.changes().get(i));
                }
            });
        }
        return priors;
    }

    private Entry apply(long seq, Change change) {
        Entry old = supersede(change.name());
        index.apply(seq, change);
        return old;
    }

    /**
     * Tells the feed that {@code name}'s current value is about to be replaced or removed (before the index
     * is); returns that value's entry, or null.
     */
    private Entry supersede(String name) {
        Entry old = index.peek(name);
        if (old != null) {
            feed.superseded(name, old.seq(), old.data());
        }
        return old;
    }

    private void trimFeed() {
        feed.trim(maxBytes - index.bytes());
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
                supersede(e.getKey());
                index.remove(e.getKey());
            }
        }
    }
}
