package io.microstore.etcd;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.microstore.etcd.gateway.EtcdOutcomeUnknown;
import io.microstore.etcd.gateway.GatewayClient;
import io.microstore.etcd.gateway.KeyRange;
import io.microstore.etcd.gateway.KeyValue;
import io.microstore.etcd.gateway.RequestOp;
import io.microstore.etcd.gateway.ResponseOp;
import io.microstore.etcd.gateway.TxnResult;
import io.microstore.testing.EtcdCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Concurrent unconditional writes sent to a real 3-member etcd cluster as one txn: each still gets its own
 * answer, no key goes twice into one txn, a batch too large for etcd is sent again one write at a time, and
 * an outcome etcd leaves unknown is unknown for every write of the batch. Writes started together while
 * the first of them is with etcd wait and form a batch.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PutBatchesIT {
    private static final AtomicInteger PREFIXES = new AtomicInteger();

    @TempDir
    static Path dir;

    static EtcdCluster cluster;

    private GatewayClient client;
    private String prefix;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = EtcdCluster.start(dir);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @BeforeEach
    void connect() throws Exception {
        cluster.awaitLeader(Duration.ofSeconds(20));
        client = new GatewayClient(cluster.endpoints(), Duration.ofMillis(500), Duration.ofSeconds(5));
        prefix = "/batches" + PREFIXES.incrementAndGet() + "/";
    }

    @AfterEach
    void close() {
        threads.shutdownNow();
        client.close();
    }

    /**
     * 40 writers at once, each putting its own key with prevKv over a value that was attached to a lease of
     * its own: fewer revisions than writes (they were batched), and each writer's response names its own
     * key's previous lease, so each got its own slice of the batch's responses.
     */
    @Test
    void concurrentPutsShareRevisionsAndEachGetsItsOwnResponse() throws Exception {
        PutBatches batches = new PutBatches(client);
        int n = 40;
        long[] leases = new long[n];
        for (int i = 0; i < n; i++) {
            leases[i] = client.grantLease(60).id();
            client.txn(List.of(), List.of(new RequestOp.Put(key(i), bytes("old"), leases[i], false, false)), List.of());
        }
        List<TxnResult> results =
                together(n, i -> batches.put(List.of(new RequestOp.Put(key(i), bytes("new" + i), 0, false, true))));
        Set<Long> revisions = new HashSet<>();
        for (int i = 0; i < n; i++) {
            TxnResult result = results.get(i);
            assertTrue(result.succeeded());
            assertEquals(1, result.responses().size(), "writer " + i + " got only its own response");
            ResponseOp.Put put =
                    assertInstanceOf(ResponseOp.Put.class, result.responses().getFirst());
            assertEquals(leases[i], put.prevLease(), "writer " + i + "'s response is its own key's");
            KeyValue stored = client.range(KeyRange.single(key(i)), 0, 0).kvs().getFirst();
            assertArrayEquals(bytes("new" + i), stored.value());
            assertEquals(result.revision(), stored.modRevision(), "writer " + i + " was told its key's revision");
            revisions.add(result.revision());
        }
        assertTrue(revisions.size() < n, "the writes were batched: " + revisions.size() + " revisions for " + n);
    }

    /** 30 writers of one key at once: etcd refuses a key twice in one txn, so each goes in a batch of its own. */
    @Test
    void putsOfOneKeyNeverShareABatch() throws Exception {
        PutBatches batches = new PutBatches(client);
        int n = 30;
        List<TxnResult> results = together(n, i -> batches.put(List.of(RequestOp.put(key(0), bytes("v" + i)))));
        Set<Long> revisions = new HashSet<>();
        for (TxnResult result : results) {
            assertTrue(result.succeeded());
            revisions.add(result.revision());
        }
        assertEquals(n, revisions.size(), "each write of the key has a revision of its own");
        assertEquals(
                n, client.range(KeyRange.single(key(0)), 0, 0).kvs().getFirst().version());
    }

    /**
     * 12 writers of 600 KB each at once, with a batch allowed 8 MiB: etcd refuses a batch of them (over its
     * --max-request-bytes of 1.5 MiB), so each is sent again on its own, and every value is stored.
     */
    @Test
    void aBatchEtcdRefusesAsTooLargeIsSentAgainOneWriteAtATime() throws Exception {
        PutBatches batches = new PutBatches(client, 64, 8 << 20);
        int n = 12;
        List<byte[]> values = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] value = new byte[600_000];
            Arrays.fill(value, (byte) ('a' + i));
            values.add(value);
        }
        List<TxnResult> results = together(n, i -> batches.put(List.of(RequestOp.put(key(i), values.get(i)))));
        for (int i = 0; i < n; i++) {
            assertTrue(results.get(i).succeeded());
            assertArrayEquals(
                    values.get(i),
                    client.range(KeyRange.single(key(i)), 0, 0).kvs().getFirst().value());
        }
    }

    /**
     * Every member stopped (SIGSTOP) after a first write opened the connection: 8 writers at once get no
     * answer in time, and each of them, the batched ones too, is told the outcome is unknown.
     */
    @Test
    void aBatchWhoseOutcomeIsUnknownIsUnknownForEachOfItsWrites() throws Exception {
        GatewayClient impatient =
                new GatewayClient(cluster.endpoints(), Duration.ofMillis(500), Duration.ofMillis(500));
        try {
            PutBatches batches = new PutBatches(impatient);
            batches.put(List.of(RequestOp.put(key(100), bytes("first"))));
            int n = 8;
            for (int member = 1; member <= 3; member++) {
                cluster.pause(member);
            }
            try {
                List<Future<TxnResult>> futures =
                        started(n, i -> batches.put(List.of(RequestOp.put(key(i), bytes("unknown" + i)))));
                for (int i = 0; i < n; i++) {
                    try {
                        futures.get(i).get(60, TimeUnit.SECONDS);
                        fail("write " + i + " succeeded with every member stopped");
                    } catch (ExecutionException e) {
                        assertInstanceOf(EtcdOutcomeUnknown.class, e.getCause(), "write " + i);
                    }
                }
            } finally {
                for (int member = 1; member <= 3; member++) {
                    cluster.resume(member);
                }
            }
        } finally {
            impatient.close();
        }
    }

    private interface Write {
        TxnResult run(int i) throws Exception;
    }

    /** Starts {@code n} writes on their own threads, released at once. */
    private List<Future<TxnResult>> started(int n, Write write) {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<TxnResult>> futures = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int w = i;
            futures.add(threads.submit(() -> {
                start.await();
                return write.run(w);
            }));
        }
        start.countDown();
        return futures;
    }

    /** The results of {@code n} writes started at once, in order. */
    private List<TxnResult> together(int n, Write write) throws Exception {
        List<TxnResult> results = new ArrayList<>();
        for (Future<TxnResult> future : started(n, write)) {
            results.add(future.get(60, TimeUnit.SECONDS));
        }
        return results;
    }

    private byte[] key(int i) {
        return bytes(prefix + "k" + i);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
