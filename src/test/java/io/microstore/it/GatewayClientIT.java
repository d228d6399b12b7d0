package io.microstore.it;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.microstore.etcd.gateway.Compare;
import io.microstore.etcd.gateway.EtcdException;
import io.microstore.etcd.gateway.EtcdRejected;
import io.microstore.etcd.gateway.GatewayClient;
import io.microstore.etcd.gateway.KeyRange;
import io.microstore.etcd.gateway.KeyValue;
import io.microstore.etcd.gateway.Lease;
import io.microstore.etcd.gateway.MemberStatus;
import io.microstore.etcd.gateway.RangeResult;
import io.microstore.etcd.gateway.RequestOp;
import io.microstore.etcd.gateway.ResponseOp;
import io.microstore.etcd.gateway.TxnResult;
import io.microstore.etcd.gateway.Watch;
import io.microstore.etcd.gateway.WatchEvent;
import io.microstore.etcd.gateway.WatchListener;
import io.microstore.testing.EtcdCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.microstore.testing.Eventually.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GatewayClient against a real 3-member etcd cluster. Each test uses keys of its own and starts on a
 * cluster with a leader; a test that kills members starts them again before it ends.
 */
class GatewayClientIT {
    @TempDir
    static Path dir;

    static EtcdCluster cluster;
    static GatewayClient client;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = EtcdCluster.start(dir);
        client = new GatewayClient(cluster.endpoints(), Duration.ofMillis(500), Duration.ofSeconds(3));
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (client != null) {
            client.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @BeforeEach
    void clusterHasALeader() throws InterruptedException {
        cluster.awaitLeader(Duration.ofSeconds(20));
    }

    private static TxnResult put(byte[] key, byte[] value) throws EtcdException {
        return client.txn(List.of(), List.of(RequestOp.put(key, value)), List.of());
    }

    @Test
    void statusReportsVersion34AndALeader() throws Exception {
        cluster.awaitLeader(Duration.ofSeconds(20)); // the cluster may be electing one after an earlier test
        MemberStatus status = client.status();
        assertTrue(status.version().startsWith("3.4."), status.version());
        assertTrue(status.leaderId() != 0 && status.memberId() != 0, status.toString());
        assertTrue(cluster.leader() >= 1);
    }

    @Test
    void putAndRangeRoundTripBinarySafeKeysAndValues() throws Exception {
        byte[] key = bytes("/rt/team/svc/café ☃");
        byte[] value = {'{', 0, (byte) 0xFF, (byte) 0x80, '}'};
        TxnResult written = put(key, value);
        assertTrue(written.succeeded());

        RangeResult read = client.range(KeyRange.single(key), 0, 0);
        assertEquals(1, read.kvs().size());
        KeyValue kv = read.kvs().getFirst();
        assertArrayEquals(key, kv.key());
        assertArrayEquals(value, kv.value());
        assertEquals(written.revision(), kv.modRevision());
        assertEquals(written.revision(), kv.createRevision());
        assertEquals(1, kv.version());
        assertTrue(client.currentRevision() >= written.revision());
    }

    @Test
    void prefixPagesWithMoreAndACursor() throws Exception {
        List<RequestOp> puts = new ArrayList<>();
        for (String name : List.of("a", "b", "b/c", "c", "d")) {
            puts.add(RequestOp.put(bytes("/page/" + name), bytes(name)));
        }
        long revision = client.txn(List.of(), puts, List.of()).revision();
        put(bytes("/page0"), bytes("outside the prefix"));

        KeyRange range = KeyRange.prefix(bytes("/page/"));
        List<String> names = new ArrayList<>();
        List<Boolean> mores = new ArrayList<>();
        RangeResult page;
        do {
            page = client.range(range, revision, 2);
            for (KeyValue kv : page.kvs()) {
                names.add(new String(kv.key(), StandardCharsets.UTF_8));
                assertEquals(revision, kv.modRevision()); // one txn: one revision for all its keys
            }
            mores.add(page.more());
            byte[] last = page.kvs().getLast().key();
            byte[] cursor = java.util.Arrays.copyOf(last, last.length + 1); // the key after `last`
            range = range.from(cursor);
        } while (page.more());
        assertEquals(List.of("/page/a", "/page/b", "/page/b/c", "/page/c", "/page/d"), names);
        assertEquals(List.of(true, true, false), mores);
    }

    @Test
    void createOnlyTxnSucceedsOnceThenReportsTheCurrentModRevision() throws Exception {
        byte[] key = bytes("/create-only");
        List<Compare> absent = List.of(Compare.absent(key));
        TxnResult first = client.txn(absent, List.of(RequestOp.put(key, bytes("1"))), List.of(RequestOp.get(key)));
        assertTrue(first.succeeded());

        TxnResult second = client.txn(absent, List.of(RequestOp.put(key, bytes("2"))), List.of(RequestOp.get(key)));
        assertFalse(second.succeeded());
        assertEquals(first.revision(), second.revision(), "a failed compare uses no revision");
        KeyValue current = second.get(0).kvs().getFirst();
        assertEquals(first.revision(), current.modRevision());
        assertArrayEquals(bytes("1"), current.value());
    }

    @Test
    void modRevisionCompareHoldsOnlyForTheCurrentRevision() throws Exception {
        byte[] key = bytes("/mod");
        long m1 = put(key, bytes("v1")).revision();
        long m2 = put(key, bytes("v2")).revision();

        TxnResult stale = client.txn(
                List.of(Compare.modRevisionIs(key, m1)),
                List.of(RequestOp.put(key, bytes("lost"))),
                List.of(RequestOp.get(key)));
        assertFalse(stale.succeeded());
        assertEquals(m2, stale.get(0).kvs().getFirst().modRevision());

        TxnResult fresh =
                client.txn(List.of(Compare.modRevisionIs(key, m2)), List.of(RequestOp.delete(key)), List.of());
        assertTrue(fresh.succeeded());
        assertEquals(m2 + 1, fresh.revision());
        assertTrue(client.range(KeyRange.single(key), 0, 0).kvs().isEmpty());
    }

    @Test
    void aKeyWithALeaseIsDeletedByEtcdWhenItExpiresAndAPutWithoutOneDetachesIt() throws Exception {
        Lease shortest = client.grantLease(1);
        assertEquals(2, shortest.ttl(), "etcd's minimum with a 1 s election timeout: 1.5 s, rounded up");
        client.revokeLease(shortest.id());
        client.revokeLease(shortest.id()); // gone already: no error

        byte[] expiring = bytes("/lease/expiring");
        byte[] detached = bytes("/lease/detached");
        Recorder recorder = new Recorder();
        long beforeGrant = System.nanoTime();
        Lease lease = client.grantLease(3);
        assertEquals(3, lease.ttl());
        try (Watch watch = client.watch(KeyRange.prefix(bytes("/lease/")), 0, recorder)) {
            long put = client.txn(
                            List.of(),
                            List.of(
                                    new RequestOp.Put(expiring, bytes("1"), lease.id(), false, false),
                                    new RequestOp.Put(detached, bytes("1"), lease.id(), false, false)),
                            List.of())
                    .revision();
            assertEquals(
                    lease.id(),
                    client.range(KeyRange.single(expiring), 0, 0)
                            .kvs()
                            .getFirst()
                            .lease());
            TxnResult detach =
                    client.txn(List.of(), List.of(new RequestOp.Put(detached, bytes("2"), 0, false, true)), List.of());
            assertEquals(
                    lease.id(),
                    assertInstanceOf(ResponseOp.Put.class, detach.responses().getFirst())
                            .prevLease());
            assertEquals(
                    0,
                    client.range(KeyRange.single(detached), 0, 0)
                            .kvs()
                            .getFirst()
                            .lease());
            assertEvent(WatchEvent.Type.PUT, "/lease/expiring", put, recorder.next());
            assertEvent(WatchEvent.Type.PUT, "/lease/detached", put, recorder.next());
            assertEvent(WatchEvent.Type.PUT, "/lease/detached", detach.revision(), recorder.next());
            // etcd checks leases every 500 ms, and an election in between renews the lease for its whole TTL
            WatchEvent expired = recorder.next(Duration.ofSeconds(20));
            long after = (System.nanoTime() - beforeGrant) / 1_000_000;
            assertEvent(WatchEvent.Type.DELETE, "/lease/expiring", detach.revision() + 1, expired);
            assertTrue(after >= 3000, "a 3 s lease expired " + after + " ms after it was asked for");
            // the next event is a write made now: the lease deleted nothing else (the detached key stays)
            long later = put(bytes("/lease/later"), bytes("1")).revision();
            assertEvent(WatchEvent.Type.PUT, "/lease/later", later, recorder.next());
            assertEquals(1, client.range(KeyRange.single(detached), 0, 0).kvs().size());
        }

        byte[] revoked = bytes("/lease/revoked");
        Lease another = client.grantLease(60);
        client.txn(List.of(), List.of(new RequestOp.Put(revoked, bytes("1"), another.id(), false, false)), List.of());
        TxnResult keep =
                client.txn(List.of(), List.of(new RequestOp.Put(revoked, bytes("2"), 0, true, false)), List.of());
        assertTrue(keep.succeeded());
        assertEquals(
                another.id(),
                client.range(KeyRange.single(revoked), 0, 0).kvs().getFirst().lease(),
                "ignore_lease keeps the key's lease");
        client.revokeLease(another.id());
        assertTrue(client.range(KeyRange.single(revoked), 0, 0).kvs().isEmpty(), "a revoke deletes the lease's keys");
    }

    /** Records what a watch delivers, in order. */
    static class Recorder implements WatchListener {
        final BlockingQueue<WatchEvent> events = new LinkedBlockingQueue<>();
        final BlockingQueue<Object> ends = new LinkedBlockingQueue<>();

        @Override
        public void onEvents(long revision, List<WatchEvent> batch) {
            batch.forEach(e -> assertTrue(e.revision() <= revision));
            events.addAll(batch);
        }

        @Override
        public void onCompacted(long compactRevision) {
            ends.add(compactRevision);
        }

        @Override
        public void onClosed(EtcdException cause) {
            ends.add(cause == null ? "closed" : cause);
        }

        WatchEvent next() throws InterruptedException {
            return next(Duration.ofSeconds(5));
        }

        WatchEvent next(Duration timeout) throws InterruptedException {
            WatchEvent e = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            assertTrue(e != null, "no watch event within " + timeout);
            return e;
        }

        Object end() throws InterruptedException {
            return ends.poll(5, TimeUnit.SECONDS);
        }
    }

    private static void assertEvent(WatchEvent.Type type, String key, long revision, WatchEvent e) {
        assertEquals(type, e.type());
        assertEquals(key, new String(e.kv().key(), StandardCharsets.UTF_8));
        assertEquals(revision, e.revision());
    }

    @Test
    void watchSeesPutsAndDeletesInOrderAndResumesFromAGivenRevision() throws Exception {
        KeyRange prefix = KeyRange.prefix(bytes("/w/"));
        long start = client.currentRevision() + 1;
        Recorder live = new Recorder();
        long r1, r2, r3;
        try (Watch watch = client.watch(prefix, start, live)) {
            r1 = put(bytes("/w/a"), bytes("1")).revision();
            r2 = put(bytes("/w/b"), bytes("2")).revision();
            r3 = client.txn(List.of(), List.of(RequestOp.delete(bytes("/w/a"))), List.of())
                    .revision();
            put(bytes("/x/not-watched"), bytes("3"));
            assertEvent(WatchEvent.Type.PUT, "/w/a", r1, live.next());
            WatchEvent b = live.next();
            assertEvent(WatchEvent.Type.PUT, "/w/b", r2, b);
            assertArrayEquals(bytes("2"), b.kv().value());
            assertEvent(WatchEvent.Type.DELETE, "/w/a", r3, live.next());
        }
        assertEquals("closed", live.end());
        assertNull(live.events.poll());

        // resume at the last applied revision (not +1): its event comes again and the caller drops it
        Recorder resumed = new Recorder();
        try (Watch watch = client.watch(prefix, r2, resumed)) {
            assertEvent(WatchEvent.Type.PUT, "/w/b", r2, resumed.next());
            assertEvent(WatchEvent.Type.DELETE, "/w/a", r3, resumed.next());
        }
    }

    /**
     * A watch that catches up on a history larger than etcd's largest request gets it in fragments; a
     * transaction split between two of them still reaches the listener whole, in one call.
     */
    @Test
    void aLargeWatchResponseComesInFragmentsEachRevisionWhole() throws Exception {
        byte[] value = new byte[700_000]; // two fit into one txn below --max-request-bytes, three into no message
        java.util.Arrays.fill(value, (byte) 'v');
        long first = put(bytes("/fragments/a"), value).revision();
        long txn = client.txn(
                        List.of(),
                        List.of(
                                RequestOp.put(bytes("/fragments/b"), value),
                                RequestOp.put(bytes("/fragments/c"), value)),
                        List.of())
                .revision();
        List<List<Long>> calls = new java.util.concurrent.CopyOnWriteArrayList<>();
        Recorder recorder = new Recorder() {
            @Override
            public void onEvents(long revision, List<WatchEvent> batch) {
                calls.add(batch.stream().map(WatchEvent::revision).toList());
                super.onEvents(revision, batch);
            }
        };
        try (Watch watch = client.watch(KeyRange.prefix(bytes("/fragments/")), first, recorder)) {
            assertEvent(WatchEvent.Type.PUT, "/fragments/a", first, recorder.next());
            assertEvent(WatchEvent.Type.PUT, "/fragments/b", txn, recorder.next());
            assertEvent(WatchEvent.Type.PUT, "/fragments/c", txn, recorder.next());
        }
        assertEquals(List.of(List.of(first), List.of(txn, txn)), calls, "one call per whole revision");
    }

    @Test
    void watchAndRangeFromACompactedRevisionReportIt() throws Exception {
        byte[] key = bytes("/compacted");
        long old = put(key, bytes("1")).revision();
        long latest = put(key, bytes("2")).revision();
        client.compact(latest);

        Recorder recorder = new Recorder();
        try (Watch watch = client.watch(KeyRange.single(key), old, recorder)) {
            assertEquals(latest, recorder.end());
            assertNull(recorder.events.poll());
        }
        EtcdRejected e = assertThrows(EtcdRejected.class, () -> client.range(KeyRange.single(key), old, 0));
        assertTrue(e.compacted(), e.toString());
        assertTrue(e.certainlyNotApplied());
    }

    @Test
    void readsFailOverFromAKilledMember() throws Exception {
        // A follower is killed: killing the leader would leave the others answering "no leader" until
        // they elect one, which is a different case (writesWithoutQuorumFailAsNoLeaderNotHang).
        int follower = cluster.awaitLeader(Duration.ofSeconds(10)) % 3 + 1;
        List<URI> endpoints = new ArrayList<>(cluster.endpoints());
        Collections.rotate(endpoints, 1 - follower); // the follower first
        try (GatewayClient fresh = new GatewayClient(endpoints, Duration.ofMillis(500), Duration.ofSeconds(3))) {
            fresh.status(); // connected to the follower
            cluster.kill(follower);
            // an election of its own may have made the killed member the leader in between: then wait for the next
            cluster.awaitLeader(Duration.ofSeconds(20));
            long t0 = System.nanoTime();
            assertTrue(fresh.range(KeyRange.single(bytes("/mod")), 0, 0).revision() > 0);
            assertTrue(fresh.status().memberId() != 0);
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5));
        } finally {
            cluster.restart(follower);
        }
    }

    @Test
    void writesWithoutQuorumFailAsNoLeaderNotHang() throws Exception {
        cluster.awaitLeader(Duration.ofSeconds(10));
        try (GatewayClient writer =
                new GatewayClient(cluster.endpoints(), Duration.ofMillis(500), Duration.ofSeconds(2))) {
            writer.status();
            cluster.kill(2);
            cluster.kill(3);

            // Right after the kills member 1 may still believe in a leader: the write is proposed and
            // then either refused or left undecided by the request timeout (3 s), well before etcd's own 7 s.
            assertTimeoutPreemptively(
                    Duration.ofSeconds(6),
                    () -> assertThrows(EtcdException.class, () -> put(bytes("/quorum"), bytes("early"))));

            await("member 1 knows it has no leader", Duration.ofSeconds(10), () -> {
                try {
                    return writer.status(0).leaderId() == 0;
                } catch (EtcdException e) {
                    return false;
                }
            });
            // refused by etcd, not timed out (a write that hung would end as EtcdOutcomeUnknown)
            EtcdException e = assertThrows(EtcdException.class, () -> put(bytes("/quorum"), bytes("late")));
            EtcdRejected rejected = assertInstanceOf(EtcdRejected.class, e);
            assertTrue(rejected.noLeader() && rejected.certainlyNotApplied(), rejected.toString());
            assertEquals(14, rejected.code());
        } finally {
            cluster.restart(2);
            cluster.restart(3);
        }
        assertTrue(put(bytes("/quorum"), bytes("back")).succeeded());
    }
}
