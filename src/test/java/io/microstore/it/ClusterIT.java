package io.microstore.it;

import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import io.microstore.testing.EtcdCluster;
import io.microstore.testing.Eventually;
import io.microstore.testing.TestClient;
import io.microstore.testing.TestClient.Res;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static io.microstore.testing.Eventually.await;
import static io.microstore.testing.TestClient.assertProblem;
import static io.microstore.testing.TestClient.assertStatus;
import static io.microstore.testing.TestClient.seq;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Cluster mode end to end: one real 3-member etcd cluster for the class and two real microstore jars on
 * it (child JVMs, {@code --etcd}), driven over HTTP only. Each test writes apps of its own and reads the
 * feed from the seq it started at, on instances that are up and healthy when it starts; a test that kills
 * an instance or etcd's members brings them back before it ends. Nothing here compacts etcd, so a feed
 * reaches back to etcd's first revision. Every process started here is stopped by pid in {@link
 * #stopAll()} (and by EtcdCluster's shutdown hook if the JVM dies first). What EtcdEngineIT and
 * EtcdHistoryIT already cover in-process (racing creates, compaction, leader kill, a watch behind
 * compaction) is not repeated.
 */
@Timeout(90)
class ClusterIT {
    private static final List<String> JVM = List.of("-Xmx256m", "-XX:TieredStopAtLevel=1");
    private static final String PREFIX = "/microstore/apps/";
    private static final int CLIENTS = 16;

    @TempDir
    static Path dir;

    static EtcdCluster cluster;
    static String endpoints;
    static final ChildServer[] servers = new ChildServer[2];
    static final TestClient[] http = new TestClient[2];

    @BeforeAll
    static void startAll() throws Exception {
        cluster = EtcdCluster.start(dir);
        endpoints = cluster.endpoints().stream().map(URI::toString).collect(Collectors.joining(","));
        for (int i = 0; i < 2; i++) {
            servers[i] = ChildServer.launch(JVM, "--etcd", endpoints);
        }
        for (int i = 0; i < 2; i++) {
            http[i] = new TestClient(servers[i].awaitPort());
        }
    }

    @BeforeEach
    void bothInstancesHealthy() throws InterruptedException {
        for (TestClient client : http) {
            await(
                    "health UP on " + client.base(),
                    Duration.ofSeconds(20),
                    () -> client.get("/observe/health").status() == 200);
        }
    }

    /** The seq both instances have reached: every change after it is in both feeds. */
    private static long now() {
        return Math.max(lastSeq(http[0]), lastSeq(http[1]));
    }

    @AfterAll
    static void stopAll() throws Exception {
        for (ChildServer server : servers) {
            if (server != null) {
                server.close(); // SIGKILL by pid, waits for it
            }
        }
        if (cluster != null) {
            cluster.close(); // every member, by pid
        }
    }

    private static long lastSeq(TestClient client) {
        Res res = client.get("/api/changes");
        assertStatus(res, 200);
        return res.json().asJsonObject().getJsonNumber("last_seq").longValue();
    }

    private static String body(String name, String data) {
        return "{\"name\":\"" + name + "\",\"data\":" + data + "}";
    }

    @Test
    void racingIfMatchPutsThroughBothInstancesHaveExactlyOneWinnerPerRound() throws Exception {
        Res created = http[0].putApp("race", "{\"round\":-1}");
        assertStatus(created, 204);
        String etag = created.header("ETag");
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        try {
            for (int round = 0; round < 5; round++) {
                String ifMatch = etag;
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Res>> tries = new ArrayList<>();
                for (int t = 0; t < CLIENTS; t++) {
                    TestClient via = http[t % 2];
                    String data = "{\"round\":" + round + ",\"client\":" + t + "}";
                    tries.add(pool.submit(() -> {
                        go.await();
                        return via.putApp("race", data, "If-Match", ifMatch);
                    }));
                }
                go.countDown();
                List<Res> won = new ArrayList<>();
                for (Future<Res> f : tries) {
                    Res res = f.get(30, TimeUnit.SECONDS);
                    if (res.status() == 204) {
                        won.add(res);
                    } else {
                        assertProblem(res, 412);
                    }
                }
                assertEquals(
                        1,
                        won.size(),
                        "round " + round + ": exactly one 204, the rest 412; winners "
                                + won.stream().map(Res::describe).toList());
                etag = won.getFirst().header("ETag");
                assertTrue(seq(etag) > seq(ifMatch), etag + " after " + ifMatch);
            }
        } finally {
            pool.shutdownNow();
        }
        String last = etag;
        for (TestClient client : http) {
            await(
                    "both instances at " + last,
                    Duration.ofSeconds(5),
                    () -> last.equals(client.get(TestClient.app("race")).header("ETag")));
        }
    }

    @Test
    void anIndexDefinedThroughOneInstanceIsBuiltAtTheOther() throws Exception {
        for (int i = 0; i < 30; i++) {
            assertStatus(http[0].putApp("ix" + i, "{\"ix\":" + (i % 3) + "}"), 204);
        }
        assertStatus(
                http[0].send("PUT", "/api/indexes/ix", "{\"paths\":[\"/ix\"]}", "Content-Type", "application/json"),
                201);
        String query = "/api/apps?limit=0&count=exact&where=" + TestClient.encode("{\"/ix\":1}");
        Eventually.await("the index ready on the other instance", () -> {
            Res res = http[1].get("/api/indexes/ix");
            return res.status() == 200
                    && res.json().asJsonObject().getString("state").equals("ready");
        });
        Res counted = http[1].get(query);
        assertEquals("10", counted.header("X-Total-Count"), counted.describe());
        assertEquals(true, counted.header("Query-Plan").startsWith("index=ix;"), counted.describe());
        assertEquals(false, http[1].get("/api/apps?limit=1000").text().contains("index"));
        assertStatus(http[1].send("DELETE", "/api/indexes/ix", (String) null), 204);
        Eventually.await(
                "the index dropped on the first instance",
                () -> http[0].get("/api/indexes/ix").status() == 404);
        for (int i = 0; i < 30; i++) {
            assertStatus(http[0].delete("ix" + i), 204);
        }
    }

    @Test
    void aGetRightAfterA204OnTheSameInstanceSeesTheWrite() {
        for (int i = 0; i < 60; i++) {
            TestClient via = http[i % 2];
            String name = "ryw" + (i % 3);
            String data = "{\"i\":" + i + "}";
            Res put = via.putApp(name, data);
            assertStatus(put, 204);
            Res get = via.get(TestClient.app(name));
            assertStatus(get, 200);
            assertEquals(put.header("ETag"), get.header("ETag"), get.describe());
            assertEquals(body(name, data), get.text());
            if (i % 10 == 9) {
                assertStatus(via.delete(name), 204);
                assertStatus(via.get(TestClient.app(name)), 404);
            }
        }
    }

    @Test
    void bothFeedsAreIdenticalToEachOtherAndToEtcdsHistory() throws Exception {
        long from = now();
        long last = 0;
        for (int i = 0; i <= 30; i++) { // the last one a put: a DELETE's 204 has no ETag
            TestClient via = http[i % 2];
            Res res = i % 6 == 5 ? via.delete("f" + (i - 2)) : via.putApp("f" + i, String.valueOf(i));
            assertStatus(res, 204);
            if (res.header("ETag") != null) {
                last = Math.max(last, seq(res.header("ETag")));
            }
        }
        long end = last;
        for (TestClient client : http) {
            await("feed at " + end, Duration.ofSeconds(5), () -> lastSeq(client) >= end);
        }
        List<String> etcd = etcdHistory(from, end);
        assertEquals(31, etcd.size(), etcd.toString()); // 31 writes, 5 of them deletes
        assertEquals(etcd, feed(http[0], from), "instance 1's feed against etcd's history");
        assertEquals(etcd, feed(http[1], from), "instance 2's feed against etcd's history");
        // and the whole of it, from etcd's first revision, whenever each instance started
        List<String> all = feed(http[0], 0);
        assertTrue(all.containsAll(etcd), all.toString());
        assertEquals(all, feed(http[1], 0), "since=0 on both instances");
    }

    /** One etcd txn, one revision: the other instance's feed and index get all of it, with that seq. */
    @Test
    void aTransactionThroughOneInstanceArrivesWholeAtTheOther() throws Exception {
        String race = http[0].putApp("tx-checked", "0").header("ETag");
        assertStatus(http[0].putApp("tx-gone", "0"), 204);
        Res res = http[0].send(
                "POST",
                "/api/txn",
                "[{\"op\":\"check\",\"name\":\"tx-checked\",\"if_match\":"
                        + TestClient.quote(race) + "},{\"op\":\"put\",\"name\":\"tx/a\",\"data\":1},"
                        + "{\"op\":\"delete\",\"name\":\"tx-gone\"},{\"op\":\"put\",\"name\":\"tx/b\",\"data\":2}]",
                "Content-Type",
                TestClient.JSON);
        assertStatus(res, 200);
        long s = res.json().asJsonObject().getJsonNumber("seq").longValue();
        await("instance 2 at seq " + s, Duration.ofSeconds(5), () -> lastSeq(http[1]) >= s);
        assertEquals(
                List.of(s + " put tx/a", s + " delete tx-gone", s + " put tx/b"),
                feed(http[1], s - 1).subList(0, 3),
                "one page never splits the transaction");
        Res page = http[1].get("/api/changes?limit=1&since=" + (s - 1));
        assertEquals(3, page.json().asJsonObject().getJsonArray("results").size(), page.describe());
        assertEquals(TestClient.etag(s), http[1].get(TestClient.app("tx/a")).header("ETag"));
        assertEquals(TestClient.etag(s), http[1].get(TestClient.app("tx/b")).header("ETag"));
        assertStatus(http[1].get(TestClient.app("tx-gone")), 404);
        assertEquals(List.of(s + " put tx/a", s + " put tx/b", s + " delete tx-gone"), etcdHistory(s - 1, s));

        Res stale = http[1].send(
                "POST",
                "/api/txn",
                "[{\"op\":\"put\",\"name\":\"tx/c\",\"data\":3}," + "{\"op\":\"delete\",\"name\":\"tx/a\",\"if_match\":"
                        + TestClient.quote(race) + "}]",
                "Content-Type",
                TestClient.JSON);
        assertEquals(1, assertProblem(stale, 412).getInt("index"));
        assertStatus(http[0].get(TestClient.app("tx/c")), 404);
    }

    /** The feed after {@code since}, page by page, as "seq op name" lines. */
    private static List<String> feed(TestClient client, long since) {
        List<String> changes = new ArrayList<>();
        while (true) {
            Res res = client.get("/api/changes?limit=100&since=" + since);
            assertStatus(res, 200);
            var results = res.json().asJsonObject().getJsonArray("results");
            if (results.isEmpty()) {
                return changes;
            }
            for (JsonValue v : results) {
                JsonObject change = v.asJsonObject();
                since = change.getJsonNumber("seq").longValue();
                changes.add(since + " " + change.getString("op") + " " + change.getString("name"));
            }
        }
    }

    /**
     * etcd's own history of the apps' keys in (from, to], read through the v3 JSON gateway of member 1
     * (not through microstore's client): the keys at each revision, compared with the revision before.
     * A key whose mod_revision is r was put at r; a key gone at r was deleted at r.
     */
    private static List<String> etcdHistory(long from, long to) {
        TestClient member = new TestClient(cluster.endpoints().getFirst().getPort());
        List<String> history = new ArrayList<>();
        Map<String, Long> before = keysAt(member, from);
        for (long r = from + 1; r <= to; r++) {
            Map<String, Long> now = keysAt(member, r);
            for (Map.Entry<String, Long> e : now.entrySet()) {
                if (e.getValue() == r) {
                    history.add(r + " put " + e.getKey());
                }
            }
            for (String name : before.keySet()) {
                if (!now.containsKey(name)) {
                    history.add(r + " delete " + name);
                }
            }
            before = now;
        }
        return history;
    }

    /** Every app name with its key's mod_revision, at etcd revision {@code revision}. */
    private static Map<String, Long> keysAt(TestClient member, long revision) {
        Base64.Encoder b64 = Base64.getEncoder();
        String request = "{\"key\":\"" + b64.encodeToString(PREFIX.getBytes(StandardCharsets.UTF_8))
                + "\",\"range_end\":\"" + b64.encodeToString("/microstore/apps0".getBytes(StandardCharsets.UTF_8))
                + "\",\"revision\":\"" + revision + "\"}";
        Res res = member.send("POST", "/v3/kv/range", request, "Content-Type", "application/json");
        assertStatus(res, 200);
        Map<String, Long> keys = new TreeMap<>();
        JsonObject range = res.json().asJsonObject();
        if (range.containsKey("kvs")) {
            for (JsonValue v : range.getJsonArray("kvs")) {
                JsonObject kv = v.asJsonObject();
                String key = new String(Base64.getDecoder().decode(kv.getString("key")), StandardCharsets.UTF_8);
                if (!key.equals(PREFIX + "\0")) { // the marker, which instances write: no app
                    keys.put(key.substring(PREFIX.length()), Long.parseLong(kv.getString("mod_revision")));
                }
            }
        }
        return keys;
    }

    @Test
    void killingOneInstanceLeavesTheOtherServingAndTheRestartedOneCatchesUp() throws Exception {
        Res kept = http[0].putApp("kill-kept", "1");
        assertStatus(kept, 204);
        Map<String, String> acknowledged = new ConcurrentHashMap<>(); // name -> data
        Map<String, String> unknown = new ConcurrentHashMap<>(); // sent, outcome not known
        AtomicBoolean stop = new AtomicBoolean();
        AtomicBoolean secondDown = new AtomicBoolean();
        AtomicInteger ackedByFirstWhileDown = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> writers = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int writer = t;
            writers.add(pool.submit(() -> {
                for (int i = 0; !stop.get(); i++) {
                    int target = writer % 2 == 1 && !secondDown.get() ? 1 : 0;
                    boolean down = secondDown.get();
                    String name = "kill-" + writer + "-" + i;
                    String data = "{\"w\":" + writer + ",\"i\":" + i + "}";
                    try {
                        Res res = http[target].putApp(name, data);
                        if (res.status() == 204) {
                            acknowledged.put(name, data);
                            if (target == 0 && down) {
                                ackedByFirstWhileDown.incrementAndGet();
                            }
                        } else {
                            assertEquals(503, res.status(), res.describe());
                            unknown.put(name, data);
                        }
                    } catch (UncheckedIOException e) {
                        assertEquals(1, target, "instance 1 must keep serving: " + e);
                        unknown.put(name, data);
                    }
                }
                return null;
            }));
        }
        await("writes through both instances", Duration.ofSeconds(20), () -> acknowledged.size() >= 20);
        servers[1].kill9();
        secondDown.set(true);
        await(
                "writes through instance 1 while 2 is down",
                Duration.ofSeconds(20),
                () -> ackedByFirstWhileDown.get() >= 10);
        // reads go on through the survivor while the other is down
        Res read = http[0].get(TestClient.app("kill-kept"));
        assertStatus(read, 200);
        assertEquals(kept.header("ETag"), read.header("ETag"));
        stop.set(true);
        for (Future<?> f : writers) {
            f.get(30, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertTrue(
                ackedByFirstWhileDown.get() >= 10,
                "writes through instance 1 while 2 was down: " + ackedByFirstWhileDown.get());

        servers[1] = ChildServer.start(JVM, "--etcd", endpoints); // the same arguments
        http[1] = new TestClient(servers[1].awaitPort());
        Map<String, String> written = new HashMap<>(acknowledged);
        unknown.forEach(written::putIfAbsent);
        for (String name : written.keySet()) {
            Res first = http[0].get(TestClient.app(name));
            Res second = http[1].get(TestClient.app(name));
            if (acknowledged.containsKey(name)) {
                assertStatus(second, 200);
                assertEquals(body(name, acknowledged.get(name)), second.text());
            }
            assertEquals(first.status(), second.status(), name + ": " + first.describe() + " vs " + second.describe());
            assertEquals(first.text(), second.text(), name);
            assertEquals(first.header("ETag"), second.header("ETag"), name);
        }
        // and the restarted instance follows new writes (its watch is live)
        Res put = http[0].putApp("after-restart", "1");
        assertStatus(put, 204);
        await(
                "the restarted instance sees a new write",
                Duration.ofSeconds(5),
                () -> put.header("ETag")
                        .equals(http[1].get(TestClient.app("after-restart")).header("ETag")));
    }

    @Test
    void withEveryEtcdMemberDownReadsAreServedWritesGet503AndBothRecoverWhenEtcdReturns() throws Exception {
        long from = now();
        assertStatus(http[0].putApp("down-kept", "{\"kept\":true}"), 204);
        await(
                "instance 2 has it",
                Duration.ofSeconds(5),
                () -> http[1].get(TestClient.app("down-kept")).status() == 200);
        Res before = http[0].get(TestClient.app("down-kept"));
        for (int member = 1; member <= 3; member++) {
            cluster.kill(member);
        }
        try {
            for (TestClient client : http) {
                await(
                        "health DOWN on " + client.base(),
                        Duration.ofSeconds(10),
                        () -> client.get("/observe/health").text().contains("\"DOWN\""));
                Res health = client.get("/observe/health");
                assertEquals(503, health.status(), health.describe());
                assertTrue(health.text().contains("\"failure\""), health.describe());
                Res read = client.get(TestClient.app("down-kept"));
                assertStatus(read, 200);
                assertEquals(before.text(), read.text());
                assertEquals(before.header("ETag"), read.header("ETag"));
                assertStatus(client.get("/api/apps"), 200);
                for (int i = 0; i < 3; i++) {
                    Res write = client.putApp("while-down", "1");
                    assertProblem(write, 503);
                    assertNotNull(write.header("Retry-After"), write.describe());
                }
            }
        } finally {
            restartAllMembers();
        }
        for (TestClient client : http) {
            String name = "back-" + client.port();
            await(
                    "a write through " + client.base() + " after etcd returned",
                    Duration.ofSeconds(15),
                    () -> client.putApp(name, "1").status() == 204);
            assertStatus(client.get(TestClient.app(name)), 200);
        }
        for (TestClient client : http) {
            await(
                    "health UP on " + client.base(),
                    Duration.ofSeconds(10),
                    () -> client.get("/observe/health").status() == 200);
        }
        // both watches resumed where they were: the same changes as etcd's history, none lost or repeated
        long end = 0;
        for (int i = 0; i < 10; i++) {
            end = seq(http[i % 2].putApp("resumed" + i, String.valueOf(i)).header("ETag"));
        }
        long last = end;
        for (TestClient client : http) {
            await("feed at " + last, Duration.ofSeconds(5), () -> lastSeq(client) >= last);
        }
        List<String> etcd = etcdHistory(from, end);
        // down-kept, back-<port> (retried until a 204, so possibly more than once) and resumed0..9; nothing
        // while down
        assertTrue(etcd.size() >= 13 && etcd.stream().noneMatch(c -> c.endsWith(" while-down")), etcd.toString());
        assertEquals(etcd, feed(http[0], from));
        assertEquals(etcd, feed(http[1], from));
    }

    @Test
    void anAppWithATtlExpiresOnceTheSameInBothFeeds() throws Exception {
        long from = now();
        Res put = http[0].putApp("ttl-once?ttl=2", "1");
        assertStatus(put, 204);
        await(
                "instance 2 has it with the same Expires",
                Duration.ofSeconds(5),
                () -> put.header("Expires")
                        .equals(http[1].get(TestClient.app("ttl-once")).header("Expires")));
        for (TestClient client : http) {
            await(
                    "expired on " + client.base(),
                    Duration.ofSeconds(10),
                    () -> client.get(TestClient.app("ttl-once")).status() == 404);
        }
        long end = Math.max(lastSeq(http[0]), lastSeq(http[1]));
        List<String> etcd = etcdHistory(from, end);
        assertEquals(
                List.of(seq(put.header("ETag")) + " put ttl-once", (seq(put.header("ETag")) + 1) + " delete ttl-once"),
                etcd,
                "one put, one delete: etcd's lease expiry");
        assertEquals(etcd, feed(http[0], from));
        assertEquals(etcd, feed(http[1], from));
    }

    @Test
    void anAppExpiresAlsoWhenTheInstanceThatWroteItWasKilled() throws Exception {
        long from = now();
        Res put = http[0].putApp("ttl-orphan?ttl=10", "1");
        assertStatus(put, 204);
        await(
                "instance 2 has it",
                Duration.ofSeconds(5),
                () -> http[1].get(TestClient.app("ttl-orphan")).status() == 200);
        servers[0].kill9(); // nobody keeps the lease alive; etcd expires it by itself
        servers[0] = ChildServer.start(JVM, "--etcd", endpoints);
        http[0] = new TestClient(servers[0].awaitPort());
        Res restarted = http[0].get(TestClient.app("ttl-orphan"));
        if (restarted.status() == 200) { // restarted before the deadline: the same deadline, from etcd
            assertEquals(put.header("Expires"), restarted.header("Expires"));
        }
        for (TestClient client : http) {
            await(
                    "expired on " + client.base(),
                    Duration.ofSeconds(20),
                    () -> client.get(TestClient.app("ttl-orphan")).status() == 404);
        }
        long end = Math.max(lastSeq(http[0]), lastSeq(http[1]));
        List<String> etcd = etcdHistory(from, end);
        assertEquals(
                List.of(
                        seq(put.header("ETag")) + " put ttl-orphan",
                        (seq(put.header("ETag")) + 1) + " delete ttl-orphan"),
                etcd);
        assertEquals(etcd, feed(http[1], from), "the surviving instance's feed");
        // the restarted instance replayed etcd's history at its start: its feed reaches back past it
        assertEquals(etcd, feed(http[0], from), "the restarted instance's feed");
    }

    /** Starts the three members together: one alone has no quorum and would never report healthy. */
    private static void restartAllMembers() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<?>> starts = new ArrayList<>();
            for (int member = 1; member <= 3; member++) {
                int m = member;
                starts.add(pool.submit(() -> {
                    cluster.restart(m);
                    return null;
                }));
            }
            for (Future<?> f : starts) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
