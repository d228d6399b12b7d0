package io.microstore.it;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.microstore.etcd.EtcdConfig;
import io.microstore.etcd.EtcdEngine;
import io.microstore.etcd.gateway.EtcdClient;
import io.microstore.etcd.gateway.EtcdException;
import io.microstore.etcd.gateway.GatewayClient;
import io.microstore.etcd.gateway.RequestOp;
import io.microstore.store.Store;
import io.microstore.testing.EtcdCluster;
import io.microstore.testing.SseStream;
import io.microstore.testing.Stores;
import io.microstore.testing.TestClient;
import io.microstore.testing.TestClient.Res;
import io.microstore.testing.TestServer;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static io.microstore.testing.Eventually.await;
import static io.microstore.testing.TestClient.assertOk;
import static io.microstore.testing.TestClient.assertProblem;
import static io.microstore.testing.TestClient.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The changes feed across instances of one dataset on a real 3-member etcd cluster: a client that wrote
 * through one instance and follows the feed on another asks for a seq the second may not have applied yet.
 * That is "not yet", not "gone": the instance waits for it (as a consistent read does) and answers; 410 is
 * kept for a seq beyond etcd's own revision, and an instance that cannot reach etcd says 503 with
 * Retry-After (an EventSource stops for good on a 410). The second instance here follows etcd 50 ms late
 * ({@link LaggingWatches}), so that every ask right after a write finds it behind, on purpose.
 */
@Timeout(120)
class FeedCatchUpIT {
    private static final AtomicInteger PREFIXES = new AtomicInteger();
    private static final int TRIES = 200;

    @TempDir
    static Path dir;

    static EtcdCluster cluster;

    private final List<AutoCloseable> open = new ArrayList<>();
    private String prefix;
    private TestClient a;
    private Store lateStore;
    private TestClient late;

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
    void openInstances() throws Exception {
        cluster.awaitLeader(Duration.ofSeconds(20));
        prefix = "/catchup" + PREFIXES.incrementAndGet() + "-" + System.nanoTime() + "/";
        a = serve(open(client(cluster.endpoints())));
        lateStore = open(new LaggingWatches(client(cluster.endpoints()), Duration.ofMillis(50)));
        late = serve(lateStore);
    }

    @AfterEach
    void closeInstances() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
    }

    /**
     * The race, made certain: write through A, then at once ask the lagging instance for the
     * changes after that write's seq (a poll, a long-poll, an SSE stream from just before it), 200 times.
     * Never a 410; each answer is the one it would be once caught up.
     */
    @Test
    void aSeqAnotherInstanceAcknowledgedIsServedNotGone() throws Exception {
        int behind = 0;
        for (int i = 0; i < TRIES; i++) {
            Res put = a.putApp("k" + (i % 5), "{\"i\":" + i + "}");
            assertStatus(put, 204);
            long seq = TestClient.seq(put.header("ETag"));
            behind += lateStore.lastSeq() < seq ? 1 : 0;
            switch (i % 3) {
                case 0 -> {
                    JsonObject page = assertOk(late.get("/api/changes?since=" + seq));
                    assertEquals(0, page.getJsonArray("results").size(), page.toString());
                    assertTrue(page.getJsonNumber("last_seq").longValue() >= seq, page.toString());
                }
                case 1 -> {
                    JsonObject page = assertOk(late.get("/api/changes?wait=30&since=" + (seq - 1)));
                    assertEquals(
                            seq,
                            page.getJsonArray("results")
                                    .getJsonObject(0)
                                    .getJsonNumber("seq")
                                    .longValue());
                }
                default -> {
                    try (SseStream stream = SseStream.open(late.uri(), "/api/changes?since=" + (seq - 1), 0, 30_000)) {
                        assertEquals(200, stream.status(), () -> "try " + bodyOf(stream));
                        SseStream.Event event = stream.nextEvent();
                        assertNotNull(event);
                        assertEquals(seq, event.seq());
                    }
                }
            }
        }
        assertTrue(behind > TRIES / 2, "the lagging instance was behind the write in only " + behind + " tries");
    }

    /** A seq etcd itself has not reached exists nowhere: 410, on the instance that lags too, poll and stream. */
    @Test
    void aSeqBeyondEtcdsRevisionIsGone() throws Exception {
        long ahead = currentRevision() + 1000;
        for (TestClient instance : List.of(a, late)) {
            JsonObject problem = assertProblem(instance.get("/api/changes?since=" + ahead), 410);
            assertTrue(problem.getString("detail").contains("ahead"), problem.toString());
            try (SseStream stream = SseStream.open(instance.uri(), "/api/changes?since=" + ahead, 0, 30_000)) {
                assertEquals(410, stream.status());
            }
        }
    }

    /**
     * An instance that cannot reach etcd cannot tell whether a seq it has not applied exists: 503 with
     * Retry-After (an EventSource retries it), not 410; once etcd is back it serves the seq.
     */
    @Test
    void anInstanceCutOffFromEtcdAnswers503ForASeqItHasNotApplied() throws Exception {
        Store alone = open(client(cluster.endpoints().subList(0, 1))); // knows member 1 only
        TestClient cut = serve(alone);
        long seq;
        cluster.kill(1);
        try {
            await("the cut-off instance reports its watch down", Duration.ofSeconds(10), () -> alone.failure() != null);
            AtomicLong written = new AtomicLong();
            // member 1 may have been the leader: the write goes through once the others elected one
            await("a write through the others", Duration.ofSeconds(20), () -> {
                try (GatewayClient others = client(cluster.endpoints().subList(1, 3))) {
                    written.set(others.txn(
                                    List.of(),
                                    List.of(RequestOp.put(
                                            (prefix + "apps/cut").getBytes(StandardCharsets.UTF_8),
                                            "{\"x\":1}".getBytes(StandardCharsets.UTF_8))),
                                    List.of())
                            .revision());
                    return true;
                } catch (EtcdException e) {
                    return false;
                }
            });
            seq = written.get();
            Res res = cut.get("/api/changes?since=" + seq);
            assertProblem(res, 503);
            assertNotNull(res.header("Retry-After"), res.describe());
        } finally {
            cluster.restart(1);
        }
        long since = seq;
        await(
                "served once etcd is back",
                Duration.ofSeconds(30),
                () -> cut.get("/api/changes?since=" + since).status() == 200);
    }

    private Store open(EtcdClient client) throws IOException {
        Store store = Store.open(new EtcdEngine(client, prefix, EtcdConfig.DEFAULTS), Stores.FEED);
        open.add(store);
        return store;
    }

    private TestClient serve(Store store) {
        TestServer server = TestServer.start(store);
        open.add(server);
        return server.http();
    }

    private static GatewayClient client(List<URI> endpoints) {
        return new GatewayClient(endpoints, Duration.ofMillis(500), Duration.ofSeconds(3));
    }

    private static long currentRevision() throws EtcdException {
        try (GatewayClient client = client(cluster.endpoints())) {
            return client.currentRevision();
        }
    }

    private static String bodyOf(SseStream stream) {
        try {
            return stream.readBody();
        } catch (IOException e) {
            return e.toString();
        }
    }
}
