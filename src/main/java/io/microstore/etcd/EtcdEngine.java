package io.microstore.etcd;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.microstore.commit.CommitStream;
import io.microstore.commit.Compaction;
import io.microstore.commit.Stats;
import io.microstore.etcd.gateway.EtcdClient;
import io.microstore.etcd.gateway.EtcdException;
import io.microstore.etcd.gateway.MemberStatus;
import io.microstore.store.Engine;
import io.microstore.store.EngineEvents;
import io.microstore.store.Index;
import io.microstore.store.StoreUnavailable;
import io.microstore.store.Transaction;
import io.microstore.store.TxnOutcome;

/**
 * The engine of cluster mode: the data lives in etcd under {@code <prefix>apps/<name>}, seq = etcd
 * revision, an app's seq (ETag) = its key's mod revision. The index is filled at start by a listing at a
 * past revision and etcd's history since ({@link History}), and kept up by one watch ({@link Mirror},
 * {@link WatchFeed}); every instance on the same cluster and prefix sees the same changes with the same
 * seqs. Writes (transactions) are etcd txns with compares ({@link TxnWriter}), acknowledged once this
 * instance applied them; {@link Compactor} trims etcd's history. The package's page tells the whole story.
 */
public final class EtcdEngine implements Engine {
    private static final System.Logger LOG = System.getLogger(EtcdEngine.class.getName());
    /** How long {@link #awaitConsistent} waits for this instance's index to reach etcd's revision. */
    private static final Duration CONSISTENT_WAIT = Duration.ofSeconds(3);
    /** How long it waits before it writes the marker key to find out (a watch event arrives within ms). */
    private static final Duration MARKER_AFTER = Duration.ofMillis(50);

    private final EtcdClient client;
    private final EtcdConfig config;
    private final AppKeys keys;
    private final AppliedRevision applied = new AppliedRevision();
    private volatile EngineEvents events = EngineEvents.NONE;
    private volatile boolean closed;
    private volatile String description;
    // set once by start()
    private Mirror mirror;
    private WatchFeed watch;
    private Writes writes;
    private Compactor compactor;

    /** An engine on {@code client}, keeping its apps under {@code prefix} (e.g. {@code /microstore/}). */
    public EtcdEngine(EtcdClient client, String prefix, EtcdConfig config) {
        this.client = client;
        this.config = config;
        this.keys = new AppKeys(prefix);
        this.description = "etcd (" + client.endpointCount() + " endpoints)";
    }

    @Override
    public void start(Index committed, CommitStream stream) throws IOException {
        mirror = new Mirror(client, keys, applied, stream);
        mirror.observe(events);
        watch = new WatchFeed(client, keys, mirror, applied);
        writes = new Writes(
                new TxnWriter(client, keys, committed, applied, config, new Leases(client, clock())),
                config.maxInFlight());
        compactor = new Compactor(client, applied, committed::size, config.keepRevisions());
        try {
            MemberStatus status = client.status();
            description = "etcd (" + client.endpointCount() + " endpoints, etcd " + status.version() + ")";
            LOG.log(System.Logger.Level.INFO, "etcd server version " + status.version());
            mirror.loaded(new History(client, keys, mirror, stream, config.keepRevisions()).load());
            watch.start();
        } catch (EtcdException e) {
            throw new IOException("cannot load from etcd: " + e.getMessage(), e);
        }
        compactor.every(config.compactEvery());
    }

    @Override
    public CompletableFuture<TxnOutcome> submit(Transaction txn) {
        refuseWhenClosed();
        if (txn.size() > maxCommands()) {
            throw new IllegalArgumentException(
                    "a transaction in cluster mode has at most " + maxCommands() + " commands, not " + txn.size());
        }
        return writes.submit(txn);
    }

    /** One etcd txn per transaction, and each of its lists holds at most etcd's default --max-txn-ops. */
    @Override
    public int maxCommands() {
        return Transaction.MAX_COMMANDS;
    }

    @Override
    public CompletableFuture<Compaction> compact() {
        refuseWhenClosed();
        return compactor.compact();
    }

    private void refuseWhenClosed() {
        if (closed) {
            throw new StoreUnavailable("the store is shutting down", null);
        }
    }

    @Override
    public String failure() {
        return closed ? "the store is closed" : watch == null ? null : watch.failure();
    }

    /** Writes in flight (txns sent or about to be, and waiting for this instance to apply them); compactions made. */
    @Override
    public Stats stats() {
        return writes == null ? Stats.NONE : new Stats(writes.inFlight(), 0, 0, compactor.count());
    }

    /**
     * Turns of the compaction timer ({@link EtcdConfig#compactEvery}) that have ended, whether or not they
     * compacted: a period passing leaves no other trace, so a test that expects no compaction waits on it.
     */
    public long compactionTimerRuns() {
        return compactor.timerRuns();
    }

    @Override
    public void observe(EngineEvents events) {
        this.events = events;
        if (mirror != null) {
            mirror.observe(events);
        }
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (watch != null) {
            watch.close();
            compactor.close();
        }
        applied.close();
        if (writes != null) {
            writes.close();
        }
        client.close();
    }
    /**
     * A linearizable read's barrier: etcd's current revision by a quorum read, then a wait (at most
     * {@link #CONSISTENT_WAIT}) until this instance's index has applied it. When other datasets write
     * to the same etcd cluster, revisions move on without an event for this one: if the index has not
     * caught up at once, a write of the marker key (no app) gives a revision this watch will see.
     */
    @Override
    public void awaitConsistent() {
        refuseWhenClosed();
        long revision;
        try {
            revision = client.currentRevision(keys.marker());
        } catch (EtcdException e) {
            throw new StoreUnavailable(
                    "a consistent read needs etcd's current revision, and " + e.getMessage()
                            + "; a read without ?consistent is served from this instance's index",
                    e,
                    1);
        }
        awaitApplied(revision, "try again, or read without ?consistent");
    }

    /**
     * A feed client's {@code since} this instance has not applied: most often a write another instance
     * acknowledged a moment ago, which this watch applies within milliseconds; else etcd's current
     * revision tells whether the seq exists at all (beyond it: truly ahead, the feed's 410), and if it
     * does this waits as a consistent read does. While the watch is down the instance cannot tell in
     * time: 503 with Retry-After, which an SSE client retries, rather than a 410 that ends it for good.
     */
    @Override
    public long catchUp(long seq) {
        refuseWhenClosed();
        if (applied.await(seq, MARKER_AFTER)) {
            return applied.get();
        }
        String down = watch == null ? "it is starting" : watch.failure();
        if (down != null) {
            throw new StoreUnavailable(
                    "this instance has applied seq " + applied.get() + " and cannot follow etcd now (" + down
                            + "), so it cannot serve since=" + seq + "; retry, or ask another instance",
                    null,
                    1);
        }
        long revision;
        try {
            revision = client.currentRevision(keys.marker());
        } catch (EtcdException e) {
            throw new StoreUnavailable(
                    "since=" + seq + " is ahead of this instance (at seq " + applied.get()
                            + "), and whether etcd has it cannot be told: " + e.getMessage(),
                    e,
                    1);
        }
        if (seq > revision) {
            return applied.get(); // etcd itself has not reached it: no instance has committed it
        }
        awaitApplied(seq, "retry, or ask another instance");
        return applied.get();
    }

    /**
     * Waits (at most {@link #CONSISTENT_WAIT}) until the index has applied {@code revision}, which etcd
     * has reached; when the watch has nothing to show for it after {@link #MARKER_AFTER} (other datasets'
     * revisions), a write of the marker gives it a later revision it will see.
     *
     * @throws StoreUnavailable when the index is still behind then, or etcd refuses the marker
     */
    private void awaitApplied(long revision, String advice) {
        long target = revision;
        try {
            if (!applied.await(revision, MARKER_AFTER)) {
                target = client.txn(List.of(), List.of(keys.touchMarker()), List.of())
                        .revision();
            }
        } catch (EtcdException e) {
            throw new StoreUnavailable(
                    "this instance is behind etcd (at seq " + applied.get() + " of " + revision
                            + ") and writing the marker to catch up failed: " + e.getMessage() + "; " + advice,
                    e,
                    1);
        }
        if (!applied.await(target, CONSISTENT_WAIT)) {
            refuseWhenClosed();
            throw new StoreUnavailable(
                    "this instance is behind etcd: it has applied seq " + applied.get() + " of " + target + " after "
                            + CONSISTENT_WAIT.toSeconds() + " s; " + advice,
                    null,
                    1);
        }
    }
}
