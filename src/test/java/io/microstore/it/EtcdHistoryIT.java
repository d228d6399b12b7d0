package io.microstore.it;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.microstore.commit.Compaction;
import io.microstore.etcd.EtcdConfig;
import io.microstore.etcd.EtcdEngine;
import io.microstore.etcd.gateway.GatewayClient;
import io.microstore.etcd.gateway.RequestOp;
import io.microstore.store.Command;
import io.microstore.store.FeedGone;
import io.microstore.store.Precondition;
import io.microstore.store.Store;
import io.microstore.store.Transaction;
import io.microstore.store.feed.FeedConfig;
import io.microstore.testing.Changes;
import io.microstore.testing.EtcdCluster;
import io.microstore.testing.Stores;
import io.microstore.testing.TestClient;
import io.microstore.testing.TestServer;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static io.microstore.testing.Eventually.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How far back an instance's changes feed reaches on the etcd engine: as far as etcd still holds the
 * dataset's history (within the feed's window), the same on every instance whenever it started, and 410
 * only below what etcd has compacted. The class's cluster is never compacted, so its history starts at
 * etcd's first revision; the test that compacts starts a cluster of its own.
 */
@Timeout(120)
class EtcdHistoryIT {
    private static final AtomicInteger PREFIXES = new AtomicInteger();

    @TempDir
    static Path dir;

    static EtcdCluster pristine;

    private final List<Store> stores = new ArrayList<>();

    @BeforeAll
    static void startCluster() throws Exception {
        pristine = EtcdCluster.start(dir);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (pristine != null) {
            pristine.close();
        }
    }

    @AfterEach
    void closeStores() {
        for (Store s : stores.reversed()) {
            s.close();
        }
        stores.clear();
    }

    private static String freshPrefix() {
        return "/history" + PREFIXES.incrementAndGet() + "/";
    }

    private Store open(EtcdCluster cluster, String prefix, EtcdConfig config, FeedConfig feed) throws Exception {
        GatewayClient client = new GatewayClient(cluster.endpoints(), Duration.ofMillis(500), Duration.ofSeconds(3));
        Store store = Store.open(new EtcdEngine(client, prefix, config), feed);
        stores.add(store);
        return store;
    }

    private Store open(String prefix) throws Exception {
        return open(pristine, prefix, EtcdConfig.DEFAULTS, Stores.FEED);
    }

    private void close(Store store) {
        store.close();
        stores.remove(store);
    }

    private static byte[] json(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static long put(Store store, String name, String value) {
        return store.execute(new Command.Put(name, json(value), Precondition.NONE))
                .seq();
    }

    private static long delete(Store store, String name) {
        return store.execute(new Command.Delete(name, Precondition.NONE)).seq();
    }

    /** Puts, a delete, a transaction of two and a value with a deadline, through both; returns the last seq. */
    private static long history(Store a, Store b, String tag) {
        put(a, tag + "1", "{\"v\":1}");
        put(b, tag + "2", "[2]");
        delete(a, tag + "1");
        a.execute(new Transaction(List.of(
                new Command.Put(tag + "/t/a", json("\"a\""), Precondition.NONE),
                new Command.Put(tag + "/t/b", json("\"b\""), Precondition.NONE))));
        return b.execute(new Command.Put(
                        tag + "-ttl", json("3"), Precondition.NONE, b.expiresIn(Duration.ofMinutes(10))))
                .seq();
    }

    /** Every change of {@code store}'s feed after {@code since}, as "seq op name data expires". */
    private static List<String> feed(Store store, long since) {
        List<String> all = new ArrayList<>();
        while (true) {
            var page = store.feed().read(since, 1000, "");
            all.addAll(Changes.each(
                    page,
                    (seq, m) -> seq + " " + (m.isDelete() ? "delete" : "put") + " " + m.name() + " "
                            + (m.isDelete() ? "-" : new String(m.data(), StandardCharsets.UTF_8)) + " " + m.expires()));
            if (page.isEmpty()) {
                return all;
            }
            since = page.commits().getLast().seq();
        }
    }

    private static Map<String, String> state(Store store) {
        Map<String, String> map = new TreeMap<>();
        store.entries()
                .forEach(e -> map.put(
                        e.getKey(),
                        e.getValue().seq() + " " + new String(e.getValue().data(), StandardCharsets.UTF_8) + " "
                                + e.getValue().expires()));
        return map;
    }

    private static void awaitSeq(Store store, long seq) throws InterruptedException {
        await("the instance applied seq " + seq, Duration.ofSeconds(10), () -> store.lastSeq() >= seq);
    }

    @Test
    void sinceZeroOnAFreshDatasetListsEveryChangeTheSameOnEveryInstance() throws Exception {
        String prefix = freshPrefix();
        Store a = open(prefix);
        Store b = open(prefix);
        long end = history(a, b, "x");
        awaitSeq(a, end);
        awaitSeq(b, end);
        List<String> changes = feed(a, 0);
        assertEquals(6, changes.size(), changes.toString());
        assertTrue(changes.getLast().startsWith(end + " put x-ttl 3 "), changes.toString());
        assertEquals(changes, feed(b, 0), "both instances, the same changes with the same seqs");
        try (TestServer onA = TestServer.start(a);
                TestServer onB = TestServer.start(b)) {
            TestClient.Res fromA = onA.http().get("/api/changes?since=0&include=data");
            TestClient.assertStatus(fromA, 200);
            assertEquals(6, fromA.json().asJsonObject().getJsonArray("results").size(), fromA.text());
            assertEquals(
                    fromA.text(),
                    onB.http().get("/api/changes?since=0&include=data").text());
        }
    }

    @Test
    void sinceZeroOnAnInstanceStartedLaterListsTheChangesMadeBeforeItStarted() throws Exception {
        String prefix = freshPrefix();
        Store a = open(prefix);
        Store b = open(prefix);
        history(a, b, "y");
        close(b);
        long end = history(a, a, "z"); // while b is down
        Store restarted = open(prefix);
        assertEquals(end, restarted.lastSeq(), "loaded at the last change");
        assertEquals(state(a), state(restarted));
        List<String> changes = feed(a, 0);
        assertEquals(12, changes.size(), changes.toString());
        assertEquals(changes, feed(restarted, 0), "the restarted instance replayed etcd's history");
        long after = put(a, "after", "1");
        awaitSeq(restarted, after);
        assertEquals(feed(a, 0), feed(restarted, 0), "and follows on from it");
    }

    /**
     * Another dataset writing to the same cluster moves etcd's revision on without an event this
     * dataset's watch sees: an instance starting then still replays all of this one's history, ends at
     * its last change and follows on.
     */
    @Test
    void anInstanceStartedWhileAnotherDatasetWritesReplaysThisDatasetsHistory() throws Exception {
        String prefix = freshPrefix();
        Store a = open(prefix);
        try (GatewayClient other =
                new GatewayClient(pristine.endpoints(), Duration.ofMillis(500), Duration.ofSeconds(3))) {
            for (int i = 0; i < 5; i++) {
                put(a, "mine" + i, String.valueOf(i));
                other.txn(List.of(), List.of(RequestOp.put(json(freshPrefix() + "apps/k"), json("1"))), List.of());
            }
            Store b = open(prefix);
            assertEquals(state(a), state(b));
            assertEquals(5, feed(b, 0).size());
            assertEquals(feed(a, 0), feed(b, 0));
            long after = put(b, "after", "1");
            awaitSeq(a, after);
            assertEquals(feed(a, 0), feed(b, 0));
        }
    }

    /**
     * microstore's own compaction keeps the feed's window of etcd's history: an instance started after it
     * reaches back to the compacted revision, as the running ones do, and answers 410 below it.
     */
    @Test
    void afterMicrostoresOwnCompactionAnInstanceReachesBackToTheCompactedRevisionAndNoFurther(@TempDir Path own)
            throws Exception {
        EtcdCluster cluster = EtcdCluster.start(own);
        try {
            int window = 5;
            EtcdConfig config = EtcdConfig.DEFAULTS.withKeepRevisions(window).withCompactEvery(Duration.ZERO);
            FeedConfig feed = new FeedConfig(window, Stores.FEED.retainBytes(), 16, Duration.ofSeconds(15));
            String prefix = freshPrefix();
            Store a = open(cluster, prefix, config, feed);
            Store b = open(cluster, prefix, config, feed);
            long first = put(a, "c0", "0");
            for (int i = 1; i < 4; i++) {
                put(i % 2 == 0 ? a : b, "c" + i, String.valueOf(i));
            }
            awaitSeq(b, first + 3);
            assertEquals(4, feed(b, 0).size(), "nothing compacted yet: since=0 reaches etcd's first revision");
            long end = 0;
            for (int i = 4; i < 12; i++) {
                end = put(i % 2 == 0 ? a : b, "c" + i, String.valueOf(i));
            }
            Compaction compacted = a.compact();
            assertEquals(end - window, compacted.seq());
            close(b);
            Store restarted = open(cluster, prefix, config, feed);
            for (Store s : List.of(a, restarted)) {
                FeedGone gone = assertThrows(FeedGone.class, () -> s.feed().read(0, 100, ""));
                assertEquals(end, gone.lastSeq());
                assertThrows(FeedGone.class, () -> s.feed().read(compacted.seq() - 1, 100, ""));
            }
            assertEquals(window, feed(restarted, compacted.seq()).size());
            assertEquals(feed(a, compacted.seq()), feed(restarted, compacted.seq()));
            try (TestServer server = TestServer.start(restarted)) {
                JsonObject problem = TestClient.assertProblem(server.http().get("/api/changes?since=0"), 410);
                assertEquals(end, problem.getJsonNumber("last_seq").longValue());
            }
        } finally {
            closeStores(); // before their cluster
            cluster.close();
        }
    }
}
