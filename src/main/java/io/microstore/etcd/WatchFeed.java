package io.microstore.etcd;

import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.microstore.etcd.gateway.EtcdClient;
import io.microstore.etcd.gateway.EtcdException;
import io.microstore.etcd.gateway.EtcdRejected;
import io.microstore.etcd.gateway.Watch;
import io.microstore.etcd.gateway.WatchEvent;
import io.microstore.etcd.gateway.WatchListener;

/**
 * The one watch of the apps' keys that feeds the {@link Mirror}. When it breaks it is opened again
 * from the last applied revision (not the next one: the mirror drops what it has seen, which works
 * around etcd 3.4's watch bugs), with back-off; when it fell behind etcd's compaction the apps are
 * listed again first. Each new watch is a generation; events of older ones are ignored.
 */
final class WatchFeed {
    private static final System.Logger LOG = System.getLogger(WatchFeed.class.getName());
    private static final long BACKOFF_MIN_MS = 100;
    private static final long BACKOFF_MAX_MS = 2000;

    private final EtcdClient client;
    private final AppKeys keys;
    private final Mirror mirror;
    private final AppliedRevision applied;
    private final ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("microstore-etcd-watch").daemon(true).factory());
    private volatile Watch watch;
    private volatile int generation; // of the current watch; older listeners are ignored
    private volatile long backoffMs = BACKOFF_MIN_MS;
    private volatile String failure;
    private volatile boolean closed;

    WatchFeed(EtcdClient client, AppKeys keys, Mirror mirror, AppliedRevision applied) {
        this.client = client;
        this.keys = keys;
        this.mirror = mirror;
        this.applied = applied;
    }

    /** Opens the watch from the revision the mirror has loaded. */
    void start() throws EtcdException {
        watch = client.watch(keys.all(), applied.get(), new Listener(generation));
    }

    /** Why the watch is down now, or null while it runs. */
    String failure() {
        return failure;
    }

    /** The watch of one generation, receiving on its own thread. */
    private final class Listener implements WatchListener {
        private final int gen;

        Listener(int gen) {
            this.gen = gen;
        }

        private boolean current() {
            return gen == generation && !closed;
        }

        @Override
        public void onCreated(long revision) {
            if (gen == generation) {
                failure = null;
                backoffMs = BACKOFF_MIN_MS;
            }
        }

        @Override
        public void onEvents(long revision, List<WatchEvent> received) {
            if (current()) {
                mirror.apply(received);
            }
        }

        @Override
        public void onCompacted(long compactRevision) {
            if (current()) {
                LOG.log(
                        System.Logger.Level.WARNING,
                        "the watch of etcd fell behind its compaction (at " + compactRevision
                                + "): listing the apps again; feed clients get 410");
                schedule(0, true);
            }
        }

        @Override
        public void onClosed(EtcdException cause) {
            if (current() && cause != null) {
                failure = "the watch of etcd broke (" + cause.getMessage() + "); reconnecting";
                LOG.log(System.Logger.Level.WARNING, failure);
                schedule(backoffMs, false);
            }
        }
    }

    private void schedule(long delayMs, boolean relist) {
        if (closed) {
            return;
        }
        try {
            watcher.schedule(() -> reconnect(relist), delayMs, TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            // closing
        }
    }

    /** On the watcher thread: a new watch from the last applied revision, after a re-list if asked. */
    private void reconnect(boolean relist) {
        if (closed) {
            return;
        }
        int gen = ++generation;
        try {
            if (relist) {
                mirror.reload();
            }
            watch = client.watch(keys.all(), applied.get(), new Listener(gen));
        } catch (EtcdException e) {
            if (closed) {
                return;
            }
            boolean compacted = e instanceof EtcdRejected r && r.compacted();
            failure = "etcd is unreachable (" + e.getMessage() + "); reconnecting";
            long delay = backoffMs;
            backoffMs = Math.min(backoffMs * 2, BACKOFF_MAX_MS);
            schedule(delay, relist || compacted);
        }
    }

    /** Stops the watch and its reconnects; events still arriving are ignored. */
    void close() {
        closed = true;
        generation++;
        watcher.shutdownNow();
        Watch w = watch;
        if (w != null) {
            w.close();
        }
    }
}
