package io.microstore.etcd;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

import io.microstore.commit.Change;
import io.microstore.commit.Commit;
import io.microstore.commit.CommitStream;
import io.microstore.etcd.gateway.EtcdClient;
import io.microstore.etcd.gateway.EtcdException;
import io.microstore.etcd.gateway.KeyValue;
import io.microstore.etcd.gateway.RangeResult;
import io.microstore.etcd.gateway.WatchEvent;
import io.microstore.store.EngineEvents;

/**
 * Keeps the commit stream (and so the index and the feed) a copy of the apps in etcd: a paginated
 * listing pinned at one revision, etcd's history replayed from there at start ({@link History}), then
 * the watch's events in revision order, each revision one batch. A re-list restores over what the index
 * holds, so readers never see it empty. Values are read through {@link Values}, which carries an app's
 * deadline with it.
 */
final class Mirror {
    private static final System.Logger LOG = System.getLogger(Mirror.class.getName());
    private static final long PAGE = 1000;

    private final EtcdClient client;
    private final AppKeys keys;
    private final AppliedRevision applied;
    private final CommitStream stream;
    private final ReentrantLock lock = new ReentrantLock(); // one listing or batch at a time into the stream
    private volatile EngineEvents events = EngineEvents.NONE;

    Mirror(EtcdClient client, AppKeys keys, AppliedRevision applied, CommitStream stream) {
        this.client = client;
        this.keys = keys;
        this.applied = applied;
        this.stream = stream;
    }

    void observe(EngineEvents events) {
        this.events = events;
    }

    /**
     * Loads every app at the current revision again, over the state loaded before (the watch fell behind
     * etcd's compaction): the feed's window restarts there, without history.
     */
    void reload() throws EtcdException {
        lock.lock();
        try {
            stream.reload();
            loaded(list(0));
        } finally {
            lock.unlock();
        }
    }

    /** Restores every app as it was at {@code revision} (0: the latest); returns the revision listed at. */
    long restoreAt(long revision) throws EtcdException {
        lock.lock();
        try {
            return list(revision);
        } finally {
            lock.unlock();
        }
    }

    /** Replays {@code events} (whole revisions, in order, after what was restored) while loading. */
    void replay(List<WatchEvent> events) {
        lock.lock();
        try {
            commits(events, 0).forEach(stream::replayed);
        } finally {
            lock.unlock();
        }
    }

    /** Loading is done at {@code revision}: the index has applied it, and the watch follows on from it. */
    void loaded(long revision) {
        lock.lock();
        try {
            stream.loaded(revision);
            applied.advance(revision);
        } finally {
            lock.unlock();
        }
    }

    /** Restores every app at {@code revision}, or at the first page's when 0; returns it. */
    private long list(long at) throws EtcdException {
        RangeResult page = client.range(keys.all(), at, PAGE);
        long revision = at > 0 ? at : page.revision();
        while (true) {
            for (KeyValue kv : page.kvs()) {
                if (!keys.isMarker(kv.key())) {
                    Values.Stored value = Values.decode(kv.value());
                    stream.restore(keys.name(kv.key()), value.data(), kv.modRevision(), value.expires());
                }
            }
            if (!page.more() || page.kvs().isEmpty()) {
                return revision;
            }
            page = client.range(keys.after(page.kvs().getLast().key()), revision, PAGE);
        }
    }

    /** Applies one watch response: each revision's events of apps one commit, all of them one batch. */
    void apply(List<WatchEvent> received) {
        lock.lock();
        try {
            long after = applied.get(); // resumed at the last applied revision: seen already (etcd 3.4 watch bugs)
            List<Commit> commits = commits(received, after);
            if (!commits.isEmpty()) {
                try {
                    stream.committed(commits);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.ERROR, "applying a committed batch failed", e);
                }
                events.batch(commits.stream().mapToInt(c -> c.changes().size()).sum());
            }
            // Every event up to the last is applied, markers included (they only move the revision on).
            applied.advance(
                    received.isEmpty()
                            ? after
                            : Math.max(after, received.getLast().revision()));
        } finally {
            lock.unlock();
        }
    }

    /**
     * The changes of apps among {@code events} after revision {@code after}, one commit per revision. A
     * revision that deletes an app without the marker was not written by an instance (each signs its
     * deletes with it, see TxnWriter): etcd expired the key's lease, and the change says so.
     */
    private List<Commit> commits(List<WatchEvent> events, long after) {
        List<Commit> commits = new ArrayList<>();
        int from = 0;
        while (from < events.size()) {
            long revision = events.get(from).revision();
            int to = from;
            boolean signed = false;
            while (to < events.size() && events.get(to).revision() == revision) {
                signed |= keys.isMarker(events.get(to).kv().key());
                to++;
            }
            if (revision > after) {
                List<Change> changes = new ArrayList<>(to - from);
                for (int e = from; e < to; e++) {
                    if (!keys.isMarker(events.get(e).kv().key())) {
                        changes.add(change(events.get(e), signed));
                    }
                }
                if (!changes.isEmpty()) {
                    commits.add(new Commit(revision, changes));
                }
            }
            from = to;
        }
        return commits;
    }

    /** The change an event of an app's key stands for; {@code signed}: its revision holds the marker. */
    private Change change(WatchEvent event, boolean signed) {
        String name = keys.name(event.kv().key());
        if (event.type() == WatchEvent.Type.DELETE) { // by a DELETE (signed), or etcd's expiry of the key's lease
            return signed ? Change.delete(name) : Change.expiry(name);
        }
        Values.Stored value = Values.decode(event.kv().value());
        return Change.put(name, value.data(), value.expires());
    }
}
