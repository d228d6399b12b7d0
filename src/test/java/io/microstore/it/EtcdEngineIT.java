package io.microstore.it;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import io.microstore.etcd.EtcdConfig;
import io.microstore.etcd.EtcdEngine;
import io.microstore.etcd.gateway.EtcdClient;
import io.microstore.etcd.gateway.EtcdException;
import io.microstore.etcd.gateway.EtcdRejected;
import io.microstore.etcd.gateway.GatewayClient;
import io.microstore.etcd.gateway.KeyRange;
import io.microstore.etcd.gateway.RequestOp;
import io.microstore.store.AppNotFound;
import io.microstore.store.Command;
import io.microstore.store.Entry;
import io.microstore.store.IndexConflict;
import io.microstore.store.Outcome;
import io.microstore.store.OutcomeUnknown;
import io.microstore.store.Precondition;
import io.microstore.store.PreconditionFailed;
import io.microstore.store.Store;
import io.microstore.store.StoreUnavailable;
import io.microstore.store.feed.ChangePage;
import io.microstore.testing.Changes;
import io.microstore.testing.EtcdCluster;
import io.microstore.testing.Stores;
import io.microstore.testing.TestClient;
import io.microstore.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static io.microstore.testing.Eventually.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The etcd engine on a real 3-member cluster, two Stores on it = two instances. Each test has its own
 * key prefix and its own stores, and starts on a cluster with a leader; a test that kills members
 * starts them again before it ends. How far back the feed reaches after a start: {@link EtcdHistoryIT}.
 */
@Timeout(90)
class EtcdEngineIT {
    private static final AtomicInteger PREFIXES = new AtomicInteger();

    @TempDir
    static Path dir;

    static EtcdCluster cluster;

    private final List<Store> stores = new ArrayList<>();
    private String prefix;
    private Store a;
    private Store b;

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
    void openStores() throws Exception {
        cluster.awaitLeader(Duration.ofSeconds(20));
        prefix = "/it" + PREFIXES.incrementAndGet() + "-" + System.nanoTime() + "/";
        a = open();
        b = open();
    }

    @AfterEach
    void closeStores() {
        for (Store s : stores.reversed()) {
            s.close();
        }
    }

    private Store open() throws Exception {
        return open(client());
    }

    private Store open(EtcdClient client) throws Exception {
        Store store = Store.open(new EtcdEngine(client, prefix, EtcdConfig.DEFAULTS), Stores.FEED);
        stores.add(store);
        return store;
    }

    private static GatewayClient client() {
        return new GatewayClient(cluster.endpoints(), Duration.ofMillis(500), Duration.ofSeconds(3));
    }

    private static byte[] json(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Outcome put(Store store, String name, String value) {
        return store.execute(new Command.Put(name, json(value), Precondition.NONE));
    }

    @Test
    void aWriteIsReadOnTheInstanceThatAcknowledgedItAndSoonOnTheOther() throws Exception {
        Outcome out = put(a, "x", "{\"v\":1}");
        assertTrue(out.seq() > 0);
        Entry seen = a.get("x");
        assertNotNull(seen, "read-your-writes on the acknowledging instance");
        assertEquals(out.seq(), seen.seq());
        assertArrayEquals(json("{\"v\":1}"), seen.data());
        await(
                "B sees x",
                Duration.ofSeconds(5),
                () -> b.get("x") != null && b.get("x").seq() == out.seq());
        assertTrue(a.describe().startsWith("etcd (3 endpoints, etcd 3.4."), a.describe());
        assertNull(a.failure());
    }

    @Test
    void deletingAMissingAppHasNoSeqAndDeletingAnAppHasOne() throws Exception {
        assertEquals(new Outcome(0, null), a.execute(new Command.Delete("nothing", Precondition.NONE)));
        Outcome created = put(a, "d", "1");
        await("B sees d", Duration.ofSeconds(5), () -> b.get("d") != null);
        Outcome deleted = b.execute(new Command.Delete("d", Precondition.NONE));
        assertTrue(deleted.seq() > created.seq());
        assertNull(b.get("d"));
        await("A sees the delete", Duration.ofSeconds(5), () -> a.get("d") == null);
    }

    @Test
    void preconditionsAreDecidedByEtcd() throws Exception {
        Outcome v1 = a.execute(new Command.Put("p", json("1"), new Precondition(null, List.of("*"))));
        PreconditionFailed exists = assertThrows(
                PreconditionFailed.class,
                () -> a.execute(new Command.Put("p", json("2"), new Precondition(null, List.of("*")))));
        assertEquals(v1.entry().etag(), exists.currentEtag());
        PreconditionFailed stale = assertThrows(
                PreconditionFailed.class,
                () -> a.execute(new Command.Put("p", json("2"), new Precondition(List.of("\"1\""), null))));
        assertEquals(v1.entry().etag(), stale.currentEtag());
        // through B right away: its index may not have v1 yet; etcd's failure branch tells it the truth
        Outcome v2 = b.execute(new Command.Put(
                "p", json("2"), new Precondition(List.of(v1.entry().etag()), null)));
        assertTrue(v2.seq() > v1.seq());
        PreconditionFailed old = assertThrows(
                PreconditionFailed.class,
                () -> b.execute(new Command.Delete(
                        "p", new Precondition(List.of(v1.entry().etag()), null))));
        assertEquals(v2.entry().etag(), old.currentEtag());
        // PATCH: computed from the current value, a compare-and-swap on its revision
        Command.Change increment = (name, current) ->
                json(String.valueOf(Long.parseLong(new String(current.data(), StandardCharsets.UTF_8)) + 1));
        Outcome v3 = a.execute(new Command.Patch("p", increment, Precondition.NONE));
        assertArrayEquals(json("3"), v3.entry().data());
        assertThrows(AppNotFound.class, () -> a.execute(new Command.Patch("absent", increment, Precondition.NONE)));
        PreconditionFailed absent = assertThrows(
                PreconditionFailed.class,
                () -> a.execute(new Command.Put("absent", json("1"), new Precondition(List.of("*"), null))));
        assertNull(absent.currentEtag());
        Outcome gone = a.execute(
                new Command.Delete("p", new Precondition(List.of(v3.entry().etag()), null)));
        assertTrue(gone.seq() > v3.seq());
        assertEquals(new Outcome(0, null), a.execute(new Command.Delete("p", new Precondition(null, List.of("*")))));
    }

    @Test
    void racingCreatesThroughBothInstancesHaveExactlyOneWinner() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            for (int round = 0; round < 4; round++) {
                String name = "race-" + round;
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Boolean>> tries = new ArrayList<>();
                for (int t = 0; t < 16; t++) {
                    Store via = t % 2 == 0 ? a : b;
                    String value = String.valueOf(t);
                    tries.add(pool.submit(() -> {
                        go.await();
                        try {
                            via.execute(new Command.Put(name, json(value), new Precondition(null, List.of("*"))));
                            return true;
                        } catch (PreconditionFailed e) {
                            assertNotNull(e.currentEtag());
                            return false;
                        }
                    }));
                }
                go.countDown();
                int wins = 0;
                for (Future<Boolean> f : tries) {
                    wins += f.get(30, TimeUnit.SECONDS) ? 1 : 0;
                }
                assertEquals(1, wins, "round " + round);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Both instances define the same index at once, as many times each: one define makes it, every other
     * answers by the winner's definition (nothing new), none gets the losing put's 412.
     */
    @Test
    void racingIndexDefinesThroughBothInstancesHaveOneWinnerAndNoRefusal() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            for (int round = 0; round < 4; round++) {
                String id = "race-" + round;
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Boolean>> tries = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    Store via = t % 2 == 0 ? a : b;
                    tries.add(pool.submit(() -> {
                        go.await();
                        return via.indexes().define(id, List.of("/k"));
                    }));
                }
                go.countDown();
                int made = 0;
                for (Future<Boolean> f : tries) {
                    made += f.get(30, TimeUnit.SECONDS) ? 1 : 0;
                }
                assertEquals(1, made, "round " + round);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * A define that lost the race for an index id to another instance, whose commit this one has not heard
     * yet (it follows etcd 500 ms late on purpose, so it cannot have by chance): etcd refuses its put, and it
     * answers by the winner's definition, not with that refusal's 412. It fails only when neither the engine
     * (which applies the state a refusal rests on before answering it) nor define's consistent read after a
     * refusal brings the winner's definition here first.
     */
    @Test
    void anIndexDefineThatLostTheRaceAnswersByTheWinnersDefinition() throws Exception {
        Store late = open(new LaggingWatches(client(), Duration.ofMillis(500)));
        assertTrue(a.indexes().define("ix", List.of("/k")));
        assertEquals(List.of(), late.indexes().list(), "the late instance knew of ix: there was no race to lose");
        assertFalse(late.indexes().define("ix", List.of("/k")), "the same definition: nothing new");

        assertTrue(a.indexes().define("iy", List.of("/y")));
        assertEquals(1, late.indexes().list().size(), "the late instance knew of iy: there was no race to lose");
        IndexConflict other =
                assertThrows(IndexConflict.class, () -> late.indexes().define("iy", List.of("/z")));
        assertTrue(other.getMessage().contains("[/y]"), other.getMessage());
    }

    @Test
    void bothFeedsListTheSameChangesWithTheSameSeqs() throws Exception {
        long since = Math.max(a.lastSeq(), b.lastSeq());
        long last = 0;
        for (int i = 0; i < 20; i++) {
            Store via = i % 2 == 0 ? a : b;
            last = i % 5 == 4
                    ? via.execute(new Command.Delete("f" + (i - 1), Precondition.NONE))
                            .seq()
                    : put(via, "f" + i, String.valueOf(i)).seq();
        }
        long end = last;
        await("both feeds at " + end, Duration.ofSeconds(5), () -> a.lastSeq() >= end && b.lastSeq() >= end);
        List<String> fa = describe(a.feed().read(since, 1000, ""));
        List<String> fb = describe(b.feed().read(since, 1000, ""));
        assertEquals(20, fa.size(), fa.toString());
        assertEquals(fa, fb);
    }

    private static List<String> describe(ChangePage page) {
        return Changes.each(
                page,
                (seq, m) -> seq + " " + (m.isDelete() ? "DELETE" : "PUT") + " " + m.name() + " "
                        + (m.isDelete() ? "-" : new String(m.data(), StandardCharsets.UTF_8)));
    }

    @Test
    void aRestartedInstanceHasTheSameState() throws Exception {
        for (int i = 0; i < 30; i++) {
            put(i % 2 == 0 ? a : b, "r" + i, String.valueOf(i));
        }
        a.execute(new Command.Delete("r3", Precondition.NONE));
        long end = a.lastSeq();
        await("B at " + end, Duration.ofSeconds(5), () -> b.lastSeq() >= end);
        a.close();
        stores.remove(a);
        a = open();
        assertEquals(29, a.size());
        assertEquals(snapshot(b), snapshot(a));
        assertEquals(end, a.lastSeq());
    }

    private static Map<String, Long> snapshot(Store store) {
        Map<String, Long> map = new java.util.TreeMap<>();
        store.entries().forEach(e -> map.put(e.getKey(), e.getValue().seq()));
        return map;
    }

    @Test
    void theHttpApiServesAnEtcdStore() throws Exception {
        try (TestServer server = TestServer.start(a)) {
            TestClient http = server.http();
            long since = a.lastSeq();
            TestClient.Res put = http.putApp("web", "{\"port\":8080}");
            assertTrue(put.status() == 200 || put.status() == 201 || put.status() == 204, put.describe());
            TestClient.Res get = http.get("/api/apps/web");
            TestClient.assertStatus(get, 200);
            assertTrue(get.text().contains("8080"), get.text());
            String etag = get.header("ETag");
            assertEquals(a.get("web").etag(), etag);
            TestClient.assertStatus(http.get("/api/apps/"), 200);
            assertTrue(http.get("/api/apps/").text().contains("web"));
            TestClient.Res changes = http.get("/api/changes?since=" + since);
            TestClient.assertStatus(changes, 200);
            assertTrue(changes.text().contains("web"), changes.text());
            TestClient.assertProblem(http.putApp("web", "{\"port\":1}", "If-None-Match", "*"), 412);
        }
    }

    @Test
    void compactionKeepsTheFeedWindowOfHistory() throws Exception {
        GatewayClient client = new GatewayClient(cluster.endpoints(), Duration.ofMillis(500), Duration.ofSeconds(3));
        Store small = Store.open(new EtcdEngine(client, prefix, EtcdConfig.DEFAULTS.withKeepRevisions(5)), Stores.FEED);
        stores.add(small);
        long last = 0;
        for (int i = 0; i < 12; i++) {
            last = put(small, "c" + i, String.valueOf(i)).seq();
        }
        var compacted = small.compact();
        assertNotNull(compacted);
        assertEquals(last - 5, compacted.seq());
        assertEquals(12, compacted.apps());
        // etcd's history before it is gone; a store opened now lists the same apps
        assertEquals(12, open().size());
    }

    @Test
    void etcdsHistoryIsCompactedOnATimerKeepingTheFeedWindow() throws Exception {
        GatewayClient client = new GatewayClient(cluster.endpoints(), Duration.ofMillis(500), Duration.ofSeconds(3));
        EtcdConfig config = EtcdConfig.DEFAULTS.withKeepRevisions(5).withCompactEvery(Duration.ofMillis(100));
        EtcdEngine engine = new EtcdEngine(client, prefix, config);
        Store timed = Store.open(engine, Stores.FEED);
        stores.add(timed);
        long first = put(timed, "t0", "0").seq();
        long last = first;
        for (int i = 1; i < 12; i++) {
            last = put(timed, "t" + i, String.valueOf(i)).seq();
        }
        long end = last;
        try (GatewayClient raw =
                new GatewayClient(cluster.endpoints(), Duration.ofMillis(500), Duration.ofSeconds(3))) {
            byte[] key = (prefix + "apps/t0").getBytes(StandardCharsets.UTF_8);
            KeyRange t0 = KeyRange.prefix(key);
            await("etcd compacted to " + (end - 5), Duration.ofSeconds(10), () -> compactedAt(raw, t0, end - 6));
            // the counter goes up once etcd has answered the compaction, which may be just after it is visible
            await(
                    "the compaction counted",
                    Duration.ofSeconds(5),
                    () -> timed.stats().compactions() >= 1);
            raw.range(t0, end - 5, 1); // the kept window is still readable
            long made = timed.stats().compactions();
            // Five more turns of the timer, over history it has compacted already: none may compact again.
            long runs = engine.compactionTimerRuns();
            await("five more timer runs", Duration.ofSeconds(10), () -> engine.compactionTimerRuns() >= runs + 5);
            assertEquals(made, timed.stats().compactions());
            assertEquals(5, Changes.seqs(timed.feed().read(end - 5, 100, "")).size(), "the feed keeps its window");
        }
    }

    /** Whether reading at {@code revision} is refused as compacted. */
    private static boolean compactedAt(GatewayClient raw, KeyRange range, long revision) {
        try {
            raw.range(range, revision, 1);
            return false;
        } catch (EtcdRejected e) {
            return e.compacted();
        } catch (EtcdException e) {
            return false;
        }
    }

    @Test
    void aValueLargerThanEtcdAcceptsIsRefusedAsTooLarge() {
        String big = "\"" + "x".repeat(1_600_000) + "\"";
        RuntimeException e = assertThrows(RuntimeException.class, () -> put(a, "big", big));
        assertTrue(e instanceof io.microstore.store.ValueTooLarge, e.toString());
        String huge = "\"" + "x".repeat(3_000_000) + "\"";
        RuntimeException e2 = assertThrows(RuntimeException.class, () -> put(a, "huge", huge));
        assertTrue(e2 instanceof io.microstore.store.ValueTooLarge, e2.toString());
        assertNull(a.get("big"));
    }

    /**
     * The other instance follows etcd 50 ms late here, so a plain GET on it right after A's 204 is stale
     * (counted: the consistent read must have had something to wait for) and a consistent GET must wait.
     */
    @Test
    void aConsistentGetOnTheOtherInstanceSeesEveryAcknowledgedWrite() throws Exception {
        Store late = open(new LaggingWatches(client(), Duration.ofMillis(50)));
        try (TestServer onA = TestServer.start(a);
                TestServer onLate = TestServer.start(late)) {
            TestClient httpA = onA.http();
            TestClient httpB = onLate.http();
            int stale = 0;
            String previous = null; // what B's last consistent read returned
            for (int i = 0; i < 50; i++) {
                TestClient.Res put = httpA.putApp("lin", "{\"i\":" + i + "}");
                TestClient.assertStatus(put, 204);
                String etag = put.header("ETag");
                // a plain GET on B is served from B's index at once: it may lag, but never behind what
                // B's last consistent read returned (null before the first)
                String plain = httpB.get("/api/apps/lin").header("ETag");
                assertTrue(
                        etag.equals(plain) || Objects.equals(previous, plain),
                        "iteration " + i + ": " + plain + " is neither " + etag + " nor " + previous);
                stale += etag.equals(plain) ? 0 : 1;
                String consistent = i % 2 == 0 ? "/api/apps/lin?consistent" : "/api/apps/lin?consistent=true";
                TestClient.Res read = httpB.get(consistent);
                TestClient.assertStatus(read, 200);
                assertEquals(etag, read.header("ETag"), "iteration " + i);
                assertTrue(read.text().contains("{\"i\":" + i + "}"), read.text());
                TestClient.Res list = httpB.get("/api/apps?consistent&include=data&prefix=lin");
                TestClient.assertStatus(list, 200);
                assertTrue(list.text().contains("{\"i\":" + i + "}"), list.text());
                previous = etag;
            }
            assertTrue(stale > 0, "B never lagged: the consistent reads were not put to the test");
            TestClient.assertProblem(httpB.get("/api/apps/lin?consistent=maybe"), 400);
        }
    }

    /**
     * Another dataset (another prefix) writing to the same etcd cluster moves etcd's revision on without
     * an event for this one: a consistent read must still answer (the marker key gives it a revision its
     * watch sees; without it the read would wait for the other dataset's revision and give up with 503),
     * and the marker is no app.
     */
    @Test
    void aConsistentReadAnswersWhileAnotherDatasetWritesToTheCluster() throws Exception {
        put(a, "mine", "1");
        try (GatewayClient other =
                new GatewayClient(cluster.endpoints(), Duration.ofMillis(500), Duration.ofSeconds(3))) {
            for (int i = 0; i < 20; i++) {
                other.txn(List.of(), List.of(RequestOp.put(json("/other-dataset/apps/k" + i), json("1"))), List.of());
                b.awaitConsistent();
                Outcome written = put(a, "mine", String.valueOf(i));
                b.awaitConsistent();
                assertEquals(written.seq(), b.get("mine").seq(), "round " + i);
            }
        }
        assertEquals(
                List.of("mine"),
                b.list("", null, 100).items().stream().map(e -> e.getKey()).toList());
        Store fresh = open(); // a listing at start skips the marker too
        assertEquals(1, fresh.size());
    }

    private static Outcome put(Store store, String name, String value, Duration ttl) {
        return store.execute(new Command.Put(name, json(value), Precondition.NONE, store.expiresIn(ttl)));
    }

    /** The changes of {@code store}'s feed after {@code since}, as "op name". */
    private static List<String> feed(Store store, long since) {
        return Changes.each(
                store.feed().read(since, 1000, ""), (seq, m) -> (m.isDelete() ? "delete" : "put") + " " + m.name());
    }

    /** How many leases etcd holds now (every dataset's: call it where no other test writes). */
    private static int leases() {
        TestClient member = new TestClient(cluster.endpoints().getFirst().getPort());
        TestClient.Res res = member.send("POST", "/v3/lease/leases", "{}", "Content-Type", "application/json");
        TestClient.assertStatus(res, 200);
        var leases = res.json().asJsonObject().getJsonArray("leases");
        return leases == null ? 0 : leases.size();
    }

    @Test
    void anAppExpiresOnceForEveryInstanceAlsoWhenTheInstanceThatWroteItIsGone() throws Exception {
        long since = a.lastSeq();
        long asked = a.expiresIn(Duration.ofSeconds(2));
        Outcome written = a.execute(new Command.Put("lease", json("\"a\""), Precondition.NONE, asked));
        assertTrue(
                written.entry().expires() >= asked, "the lease's TTL is rounded up: never before the deadline asked");
        await(
                "B has its deadline",
                Duration.ofSeconds(5),
                () -> b.get("lease") != null
                        && b.get("lease").expires() == written.entry().expires());
        a.close(); // the writer goes away: nobody keeps the lease alive, and etcd expires it anyway
        stores.remove(a);
        await("expired on B", Duration.ofSeconds(10), () -> b.get("lease") == null);
        assertTrue(System.currentTimeMillis() >= written.entry().expires(), "not before its deadline");
        Store c = open(); // an instance started afterwards lists nothing and follows the same feed
        assertNull(c.get("lease"));
        assertEquals(List.of("put lease", "delete lease"), feed(b, since));
        assertEquals(feed(b, since).size(), b.lastSeq() - since, "one delete revision");
        Outcome again = put(c, "lease", "\"c\"", Duration.ofSeconds(2));
        await("expired on C", Duration.ofSeconds(10), () -> c.get("lease") == null);
        await("and on B", Duration.ofSeconds(5), () -> b.get("lease") == null);
        assertEquals(List.of("put lease", "delete lease"), feed(b, again.seq() - 1));
        assertEquals(feed(b, again.seq() - 1), feed(c, again.seq() - 1));
        a = c;
    }

    @Test
    void aPatchKeepsTheLeaseAPutWithoutTtlDetachesItAndSpareLeasesAreRevoked() throws Exception {
        int before = leases();
        Outcome first = put(a, "p", "{\"x\":1}", Duration.ofSeconds(3));
        assertEquals(before + 1, leases());
        Outcome patched = a.execute(new Command.Patch("p", (name, current) -> json("{\"x\":2}"), Precondition.NONE));
        assertEquals(first.entry().expires(), patched.entry().expires());
        assertEquals(before + 1, leases(), "the patch kept the lease");
        await(
                "B has the patched value and the deadline",
                Duration.ofSeconds(5),
                () -> b.get("p") != null
                        && b.get("p").seq() == patched.seq()
                        && b.get("p").expires() == first.entry().expires());
        await("the patched version expires", Duration.ofSeconds(10), () -> a.get("p") == null && b.get("p") == null);
        await("its lease is gone", Duration.ofSeconds(5), () -> leases() == before);

        put(a, "q", "1", Duration.ofSeconds(600));
        put(a, "q", "2", Duration.ofSeconds(600)); // a renewal: the first lease is spare
        await("the replaced lease is revoked", Duration.ofSeconds(5), () -> leases() == before + 1);
        Outcome permanent = put(a, "q", "3");
        assertEquals(0, permanent.entry().expires());
        await("a put without ttl revokes the lease it detached", Duration.ofSeconds(5), () -> leases() == before);
        assertThrows(
                PreconditionFailed.class,
                () -> a.execute(new Command.Put(
                        "q", json("4"), new Precondition(null, List.of("*")), a.expiresIn(Duration.ofSeconds(600)))));
        await("a refused write's lease is revoked", Duration.ofSeconds(5), () -> leases() == before);
        Outcome r = put(a, "r", "1", Duration.ofSeconds(600));
        // the deleting instance revokes the lease when its index knows the app had one (best effort)
        await(
                "B has r's deadline",
                Duration.ofSeconds(5),
                () -> b.get("r") != null && b.get("r").expires() > 0);
        b.execute(new Command.Delete("r", new Precondition(List.of(r.entry().etag()), null)));
        await("a delete revokes the app's lease", Duration.ofSeconds(5), () -> leases() == before);
        assertEquals(0, a.get("q").expires());
        assertEquals(permanent.seq(), a.get("q").seq());
    }

    @Test
    void aWatchThatFellBehindCompactionRelistsAndItsFeedClientsGet410() throws Exception {
        // an instance that knows member 1 only: while it is down, the others write and compact
        GatewayClient one =
                new GatewayClient(cluster.endpoints().subList(0, 1), Duration.ofMillis(500), Duration.ofSeconds(3));
        Store c = Store.open(new EtcdEngine(one, prefix, EtcdConfig.DEFAULTS), Stores.FEED);
        stores.add(c);
        put(c, "before", "1");
        long since = c.lastSeq();
        // a reader of an app that exists throughout: the re-list must never show it missing
        AtomicBoolean reading = new AtomicBoolean(true);
        AtomicInteger missing = new AtomicInteger();
        AtomicLong reads = new AtomicLong();
        Thread reader = Thread.ofPlatform().start(() -> {
            while (reading.get()) {
                if (c.get("before") == null || c.size() == 0) {
                    missing.incrementAndGet();
                }
                reads.incrementAndGet();
                Thread.yield();
            }
        });
        List<java.net.URI> others = cluster.endpoints().subList(1, 3);
        try (GatewayClient raw = new GatewayClient(others, Duration.ofMillis(500), Duration.ofSeconds(3))) {
            cluster.kill(1);
            long last = 0;
            try {
                await("c reports its watch down", Duration.ofSeconds(5), () -> c.failure() != null);
                AtomicLong written = new AtomicLong();
                for (int i = 0; i < 5; i++) {
                    byte[] key = (prefix + "apps/behind" + i).getBytes(StandardCharsets.UTF_8);
                    // member 1 may have been the leader: the write goes through once the others elected one
                    await("behind" + i + " written", Duration.ofSeconds(15), () -> {
                        try {
                            written.set(raw.txn(List.of(), List.of(RequestOp.put(key, json("1"))), List.of())
                                    .revision());
                            return true;
                        } catch (EtcdException e) {
                            return false;
                        }
                    });
                }
                last = written.get();
                raw.compact(last);
            } finally {
                cluster.restart(1);
            }
            long end = last;
            await(
                    "c re-listed at " + end,
                    Duration.ofSeconds(20),
                    () -> c.lastSeq() >= end && c.get("behind4") != null);
            reading.set(false);
            reader.join();
            assertEquals(0, missing.get(), "reads that found 'before' missing during the re-list, of " + reads.get());
            assertThrows(io.microstore.store.FeedGone.class, () -> c.feed().read(since, 100, ""));
            assertEquals(6, c.size());
            assertNotNull(c.get("before"));
            await("c healthy", Duration.ofSeconds(10), () -> c.failure() == null);
            put(c, "after", "1");
            assertEquals(List.of("after"), Changes.names(c.feed().read(end, 100, "")));
        }
    }

    /**
     * etcd renews every lease when a new leader takes over (without lease checkpoints, by its whole TTL), so
     * an expiry can come later than its deadline then; it still comes once, the same for every instance,
     * and never before the deadline.
     */
    @Test
    void anExpiryAcrossALeaderChangeComesLaterButOnce() throws Exception {
        long since = a.lastSeq();
        Outcome written = put(a, "across", "1", Duration.ofSeconds(4));
        await("B has it", Duration.ofSeconds(5), () -> b.get("across") != null);
        int leader = cluster.awaitLeader(Duration.ofSeconds(20)); // under load a single look may find none
        cluster.kill(leader);
        try {
            await("expired on both", Duration.ofSeconds(20), () -> a.get("across") == null && b.get("across") == null);
            assertTrue(System.currentTimeMillis() >= written.entry().expires(), "not before its deadline");
            assertEquals(List.of("put across", "delete across"), feed(a, since));
            assertEquals(feed(a, since), feed(b, since));
        } finally {
            cluster.restart(leader);
        }
    }

    @Test
    void killingTheLeaderLosesNoAcknowledgedWriteAndWritesResume() throws Exception {
        Map<String, Long> acknowledged = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong lastAck = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        for (int t = 0; t < 8; t++) {
            Store via = t % 2 == 0 ? a : b;
            int writer = t;
            pool.submit(() -> {
                for (int i = 0; !stop.get(); i++) {
                    String name = "w" + writer + "-" + i;
                    try {
                        acknowledged.put(name, put(via, name, String.valueOf(i)).seq());
                        lastAck.set(System.nanoTime());
                    } catch (StoreUnavailable | OutcomeUnknown e) {
                        // not acknowledged: during the election, nothing is promised about it
                    }
                }
            });
        }
        await("writes flowing", Duration.ofSeconds(10), () -> acknowledged.size() >= 20);
        int leader = cluster.awaitLeader(Duration.ofSeconds(20)); // under load a single look may find none
        long killedAt = System.nanoTime();
        cluster.kill(leader);
        int beforeKill = acknowledged.size();
        await(
                "writes acknowledged after the kill",
                Duration.ofSeconds(20),
                () -> lastAck.get() > killedAt && acknowledged.size() >= beforeKill + 20);
        stop.set(true);
        pool.shutdown();
        assertTrue(pool.awaitTermination(20, TimeUnit.SECONDS));
        cluster.restart(leader);
        long end =
                acknowledged.values().stream().mapToLong(Long::longValue).max().orElseThrow();
        await("both at " + end, Duration.ofSeconds(10), () -> a.lastSeq() >= end && b.lastSeq() >= end);
        for (Map.Entry<String, Long> ack : acknowledged.entrySet()) {
            for (Store s : List.of(a, b)) {
                Entry e = s.get(ack.getKey());
                assertNotNull(e, ack.getKey());
                assertEquals(ack.getValue(), e.seq(), ack.getKey());
            }
        }
    }

    @Test
    void withEveryMemberDownWritesFailReadsGoOnAndItRecovers() throws Exception {
        Outcome before = put(a, "kept", "1");
        await("B sees kept", Duration.ofSeconds(5), () -> b.get("kept") != null);
        for (int m = 1; m <= 3; m++) {
            cluster.kill(m);
        }
        long start = System.nanoTime();
        RuntimeException refused = assertThrows(RuntimeException.class, () -> put(a, "lost", "1"));
        assertTrue(refused instanceof StoreUnavailable || refused instanceof OutcomeUnknown, refused.toString());
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10));
        assertEquals(before.seq(), a.get("kept").seq());
        assertEquals(before.seq(), b.get("kept").seq());
        StoreUnavailable noQuorum = assertThrows(StoreUnavailable.class, b::awaitConsistent); // ?consistent: 503
        assertTrue(noQuorum.retryAfterSeconds() > 0, noQuorum.toString());
        await("A reports the failure", Duration.ofSeconds(5), () -> a.failure() != null);
        await("B reports the failure", Duration.ofSeconds(5), () -> b.failure() != null);
        ExecutorService restarts = Executors.newFixedThreadPool(3);
        List<Future<?>> started = new ArrayList<>();
        for (int m = 1; m <= 3; m++) {
            int member = m;
            started.add(restarts.submit(() -> {
                cluster.restart(member);
                return null;
            }));
        }
        for (Future<?> f : started) {
            f.get(60, TimeUnit.SECONDS);
        }
        restarts.shutdown();
        cluster.awaitLeader(Duration.ofSeconds(20));
        AtomicReference<Outcome> back = new AtomicReference<>();
        await("a write through B once etcd is back", Duration.ofSeconds(20), () -> {
            try {
                back.set(put(b, "back", "1"));
                return true;
            } catch (StoreUnavailable | OutcomeUnknown e) {
                return false;
            }
        });
        Outcome after = back.get();
        assertEquals(after.seq(), b.get("back").seq());
        await("A and B healthy again", Duration.ofSeconds(10), () -> a.failure() == null && b.failure() == null);
        long end = after.seq();
        await("A sees back", Duration.ofSeconds(5), () -> a.lastSeq() >= end && a.get("back") != null);
    }
}
