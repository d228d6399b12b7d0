package io.microstore.it;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.microstore.etcd.gateway.Compare;
import io.microstore.etcd.gateway.EtcdClient;
import io.microstore.etcd.gateway.EtcdException;
import io.microstore.etcd.gateway.KeyRange;
import io.microstore.etcd.gateway.Lease;
import io.microstore.etcd.gateway.MemberStatus;
import io.microstore.etcd.gateway.RangeResult;
import io.microstore.etcd.gateway.RequestOp;
import io.microstore.etcd.gateway.TxnResult;
import io.microstore.etcd.gateway.Watch;
import io.microstore.etcd.gateway.WatchEvent;
import io.microstore.etcd.gateway.WatchListener;

/**
 * An {@link EtcdClient} whose watches hand on everything they receive {@code lag} late, in order: an
 * instance that follows etcd slowly on purpose, so that a test can tell a read that waited for etcd from
 * one that did not. Every other call goes straight through.
 */
final class LaggingWatches implements EtcdClient {
    private final EtcdClient client;
    private final long lagMs;
    private final ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("lagging-watch").daemon(true).factory());

    LaggingWatches(EtcdClient client, Duration lag) {
        this.client = client;
        this.lagMs = lag.toMillis();
    }

    @Override
    public Watch watch(KeyRange range, long startRevision, WatchListener listener) throws EtcdException {
        return client.watch(range, startRevision, new WatchListener() {
            @Override
            public void onCreated(long revision) {
                later(() -> listener.onCreated(revision));
            }

            @Override
            public void onEvents(long revision, List<WatchEvent> events) {
                later(() -> listener.onEvents(revision, events));
            }

            @Override
            public void onCompacted(long compactRevision) {
                later(() -> listener.onCompacted(compactRevision));
            }

            @Override
            public void onClosed(EtcdException cause) {
                later(() -> listener.onClosed(cause));
            }
        });
    }

    /** One thread, one delay: what the watch received in order is handed on in order. */
    private void later(Runnable delivery) {
        if (!later.isShutdown()) {
            later.schedule(delivery, lagMs, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public MemberStatus status() throws EtcdException {
        return client.status();
    }

    @Override
    public MemberStatus status(int member) throws EtcdException {
        return client.status(member);
    }

    @Override
    public RangeResult range(KeyRange range, long revision, long limit) throws EtcdException {
        return client.range(range, revision, limit);
    }

    @Override
    public long currentRevision() throws EtcdException {
        return client.currentRevision();
    }

    @Override
    public long currentRevision(byte[] key) throws EtcdException {
        return client.currentRevision(key);
    }

    @Override
    public long count(KeyRange range, long revision) throws EtcdException {
        return client.count(range, revision);
    }

    @Override
    public RangeResult keysChangedSince(KeyRange range, long revision, long minModRevision, long limit)
            throws EtcdException {
        return client.keysChangedSince(range, revision, minModRevision, limit);
    }

    @Override
    public TxnResult txn(List<Compare> compares, List<RequestOp> success, List<RequestOp> failure)
            throws EtcdException {
        return client.txn(compares, success, failure);
    }

    @Override
    public Lease grantLease(long ttlSeconds) throws EtcdException {
        return client.grantLease(ttlSeconds);
    }

    @Override
    public void revokeLease(long id) throws EtcdException {
        client.revokeLease(id);
    }

    @Override
    public long compact(long revision) throws EtcdException {
        return client.compact(revision);
    }

    @Override
    public int endpointCount() {
        return client.endpointCount();
    }

    @Override
    public void close() {
        client.close();
        later.shutdownNow();
    }
}
