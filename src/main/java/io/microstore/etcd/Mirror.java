package io.microstore.etcd;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

import io.microstore.etcd.gateway.EtcdClient;
import io.microstore.etcd.gateway.EtcdException;
import io.microstore.etcd.gateway.KeyValue;
import io.microstore.etcd.gateway.RangeResult;
import io.microstore.etcd.gateway.WatchEvent;
import io.microstore.store.CommitStream;
import io.microstore.store.EngineEvents;
import io.microstore.store.Mutation;

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
            for (WatchEvent event : events) {
                if (!keys.isMarker(event.kv().key())) {
                    stream.replayed(mutation(event));
                }
            }
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

    /** Applies one watch response: its events grouped by revision, each revision one batch. */
    void apply(List<WatchEvent> received) {
        lock.lock();
        try {
            List<Mutation> batch = new ArrayList<>();
            long batchRevision = 0;
            long last = 0;
            for (WatchEvent event : received) {
                long revision = event.revision();
                if (revision <= applied.get()) {
                    continue; // resumed at the last applied revision: seen already (etcd 3.4 watch bugs)
                }
                last = revision;
                if (keys.isMarker(event.kv().key())) {
                    continue; // no app: it only moves the applied revision on (below)
                }
                if (revision != batchRevision && !batch.isEmpty()) {
                    commit(batch, batchRevision);
                    batch = new ArrayList<>();
                }
                batchRevision = revision;
                batch.add(mutation(event));
            }
            if (!batch.isEmpty()) {
                commit(batch, batchRevision);
            }
            applied.advance(last); // every event up to it is applied, markers included
        } finally {
            lock.unlock();
        }
    }

    /** The change an event of an app's key stands for. */
    private Mutation mutation(WatchEvent event) {
        String name = keys.name(event.kv().key());
        if (event.type() == WatchEvent.Type.DELETE) { // by a DELETE, or etcd's expiry of the key's lease
            return Mutation.delete(event.revision(), name);
        }
        Values.Stored value = Values.decode(event.kv().value());
        return Mutation.put(event.revision(), name, value.data(), value.expires());
    }

    private void commit(List<Mutation> batch, long revision) {
        try {
            stream.committed(batch);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "applying a committed batch failed", e);
        }
        events.batch(batch.size());
        applied.advance(revision);
    }
}
