package io.microstore.observe;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

import io.microstore.local.FsyncPolicy;
import io.microstore.local.LocalConfig;
import io.microstore.persist.FaultyFileOps;
import io.microstore.persist.JournalConfig;
import io.microstore.persist.JournalPersistence;
import io.microstore.store.EngineEvents;
import io.microstore.store.Store;
import io.microstore.testing.Eventually;
import io.microstore.testing.ServerTestBase;
import io.microstore.testing.Stores;
import io.microstore.testing.TestClient;
import io.microstore.testing.TestClient.Res;
import io.microstore.testing.TestServer;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.microstore.testing.TestClient.assertProblem;
import static io.microstore.testing.TestClient.assertStatus;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * {@code /observe/health}: UP while the store is open and takes writes, DOWN (503) once it has
 * stopped after a persistence failure or has been closed. The class's own server has a healthy
 * store in memory; the failure scenarios start a server each over a journal whose fsync fails.
 */
class StoreHealthTest extends ServerTestBase {
    @Test
    void aFreshStoreIsUpWithTheStoreCheckAndItsDetails() {
        assertStatus(http.putApp("health-up", "{\"x\":1}"), 204);
        JsonObject check = storeCheck(http, 200, "UP");
        JsonObject data = check.getJsonObject("data");
        assertThat(data.toString(), data.getString("data"), is(store.describe())); // "in memory only", "etcd (...)"
        assertThat(data.toString(), data.getInt("apps"), is(store.size()));
        assertThat(data.toString(), data.getJsonNumber("lastSeq").longValue(), is(store.lastSeq()));
        assertThat(data.toString(), data.containsKey("failure"), is(false));
    }

    @Test
    void theReadinessEndpointAlsoCarriesTheStoreCheck() {
        Res ready = http.get("/observe/health/ready");
        assertStatus(ready, 200);
        assertThat(ready.text(), containsString("\"store\""));
    }

    @Test
    void afterAnFsyncFailureHealthIsDownWithTheFailureReadsWorkAndWritesGet503(@TempDir Path dir) throws IOException {
        assumeFalse(Stores.etcdEngine(), "runs on a journal store of its own (local engine)");
        FaultyFileOps ops = new FaultyFileOps();
        Store store = journalStore(dir, ops);
        try (TestServer server = TestServer.start(store)) {
            TestClient http = server.http();
            assertStatus(http.putApp("before", "{\"kept\":true}"), 204);
            storeCheck(http, 200, "UP");

            ops.failNth(FaultyFileOps.Kind.FORCE, 1);
            assertProblem(http.putApp("lost", "1"), 503);
            assertThat(ops.failures(), is(1));

            JsonObject check = storeCheck(http, 503, "DOWN");
            JsonObject data = check.getJsonObject("data");
            assertThat(data.toString(), data.getString("failure"), containsString("injected failure of FORCE"));
            assertThat(data.toString(), data.getString("data"), containsString(dir.toString()));
            assertThat(data.toString(), data.getInt("apps"), is(1));

            Res read = http.get("/api/apps/before");
            assertStatus(read, 200);
            assertThat(read.text(), is("{\"name\":\"before\",\"data\":{\"kept\":true}}"));
            assertStatus(http.get("/api/apps/lost"), 404);
            assertStatus(http.get("/api/apps"), 200);

            // the disk works again, but the store stays stopped: nothing more is written
            assertThat(
                    assertProblem(http.putApp("after", "2"), 503).getString("detail"),
                    containsString("stopped taking writes"));
            assertProblem(http.send("DELETE", "/api/apps/before", (byte[]) null), 503);
            storeCheck(http, 503, "DOWN");
        } finally {
            store.close();
        }
    }

    @Test
    void onAFullDiskHealthIsDownWithTheReasonWritesGet507AndItIsUpAgainOnceThereIsRoom(@TempDir Path dir)
            throws Exception {
        assumeFalse(Stores.etcdEngine(), "runs on a journal store of its own (local engine)");
        FaultyFileOps ops = new FaultyFileOps();
        Store store = journalStore(dir, ops);
        try (TestServer server = TestServer.start(store)) {
            TestClient http = server.http();
            assertStatus(http.putApp("before", "{\"kept\":true}"), 204);
            ops.fill("No space left on device");
            TestClient.Res refused = http.putApp("refused", "1");
            assertThat(assertProblem(refused, 507).getString("detail"), containsString("No space left on device"));
            assertThat(refused.header("Retry-After"), is("1"));
            JsonObject data = storeCheck(http, 503, "DOWN").getJsonObject("data");
            assertThat(data.toString(), data.getString("failure"), containsString("No space left on device"));
            assertStatus(http.get("/api/apps/before"), 200);
            assertProblem(http.send("DELETE", "/api/apps/before", (byte[]) null), 507);

            ops.makeRoom();
            Eventually.await(
                    "health is up again once there is room",
                    Duration.ofSeconds(20),
                    () -> http.get("/observe/health").status() == 200);
            assertStatus(http.putApp("after", "2"), 204);
        } finally {
            store.close();
        }
    }

    /**
     * An Error on the writer thread outside a batch (here from the metrics told of an interval sync; in life
     * the heap running short) stops the store's writes like a failed fsync, and health says why, instead
     * of leaving every later write waiting on a dead thread while health says UP.
     */
    @Test
    void anErrorOnTheWriterThreadBetweenBatchesIsAFailStopThatHealthReports(@TempDir Path dir) throws Exception {
        assumeFalse(Stores.etcdEngine(), "runs on a journal store of its own (local engine)");
        JournalPersistence journal = JournalPersistence.open(Stores.journal(dir));
        Store store = Stores.open(journal, new LocalConfig(1024, FsyncPolicy.INTERVAL, Duration.ofMillis(10)));
        try (TestServer server = TestServer.start(store)) {
            TestClient http = server.http();
            store.observe(new EngineEvents() {
                @Override
                public void batch(int mutations) {}

                @Override
                public void synced(long nanos) {
                    throw new OutOfMemoryError("injected after an interval sync");
                }
            });
            assertStatus(http.putApp("acknowledged", "1"), 204); // acknowledged once written; synced after
            Eventually.await(
                    "health is down",
                    Duration.ofSeconds(20),
                    () -> http.get("/observe/health").status() == 503);
            JsonObject data = storeCheck(http, 503, "DOWN").getJsonObject("data");
            assertThat(data.toString(), data.getString("failure"), containsString("injected after an interval sync"));
            assertThat(
                    assertProblem(http.putApp("after", "2"), 503).getString("detail"),
                    containsString("stopped taking writes"));
            assertStatus(http.get("/api/apps/acknowledged"), 200);
        } finally {
            store.close();
        }
    }

    @Test
    void aClosedStoreIsDown(@TempDir Path dir) throws IOException {
        Store store = Stores.etcdEngine() ? newStore(Stores.FEED) : journalStore(dir, new FaultyFileOps());
        try (TestServer server = TestServer.start(store)) {
            storeCheck(server.http(), 200, "UP");
            store.close();
            JsonObject check = storeCheck(server.http(), 503, "DOWN");
            assertThat(check.toString(), check.getJsonObject("data").getString("failure"), containsString("closed"));
        }
    }

    @Test
    void theHealthOfAnotherStoreDoesNotLeakIntoThisServer(@TempDir Path dir) throws IOException {
        assumeFalse(Stores.etcdEngine(), "runs on a journal store of its own (local engine)");
        FaultyFileOps ops = new FaultyFileOps();
        Store failing = journalStore(dir, ops);
        try (TestServer other = TestServer.start(failing)) {
            ops.failNth(FaultyFileOps.Kind.FORCE, 1);
            assertProblem(other.http().putApp("x", "1"), 503);
            storeCheck(other.http(), 503, "DOWN");
            JsonObject check = storeCheck(http, 200, "UP");
            assertThat(
                    check.toString(),
                    check.getJsonObject("data").getString("data"),
                    not(containsString(dir.toString())));
        } finally {
            failing.close();
        }
    }

    /** A store over a journal in {@code dir} that syncs every batch through {@code ops}. */
    private static Store journalStore(Path dir, FaultyFileOps ops) throws IOException {
        JournalPersistence journal = JournalPersistence.open(new JournalConfig(dir, Stores.MIN_JOURNAL_BYTES, ops));
        return Stores.open(journal, new LocalConfig(1024, FsyncPolicy.ALWAYS, Stores.LOCAL.fsyncInterval()));
    }

    /** GETs /observe/health, checks the status and the overall state, and returns the "store" check. */
    private static JsonObject storeCheck(TestClient http, int status, String state) {
        Res res = http.get("/observe/health");
        assertStatus(res, status);
        assertThat(res.describe(), res.header("Content-Type"), containsString("application/json"));
        JsonObject health = res.json().asJsonObject();
        assertThat(res.describe(), health.getString("status"), is(state));
        JsonObject store = health.getJsonArray("checks").stream()
                .map(v -> v.asJsonObject())
                .filter(c -> c.getString("name").equals("store"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no store check in " + res.describe()));
        assertThat(res.describe(), store.getString("status"), is(state));
        return store;
    }
}
