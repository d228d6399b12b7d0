package io.microstore.api;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.microstore.store.Store;
import io.microstore.testing.ServerTestBase;
import io.microstore.testing.Stores;
import io.microstore.testing.TestClient.Res;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

import static io.microstore.testing.TestClient.MERGE;
import static io.microstore.testing.TestClient.assertProblem;
import static io.microstore.testing.TestClient.assertStatus;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

/**
 * The memory quota ({@code store.max-bytes}) over HTTP, on a store of {@value #LIMIT} bytes: a write that
 * would go over it gets 507 with {@code used} and {@code limit} and writes nothing; reads go on; DELETE
 * frees room; metrics and health show the usage. On both engines (ServerTestBase.newStore).
 */
class QuotaTest extends ServerTestBase {
    private static final long LIMIT = 100_000;
    /** The compact JSON of a value of 9,000 bytes: about a tenth of the quota with its app's overhead. */
    private static final String BIG = value(9_000);

    @Override
    protected Store openStore() {
        return newStore(FEED, LIMIT);
    }

    /** A JSON string of exactly {@code bytes} bytes. */
    private static String value(int bytes) {
        return "\"" + "x".repeat(bytes - 2) + "\"";
    }

    /** PUTs {@link #BIG} values as {@code prefix-0, -1...} until one gets 507; returns that answer. */
    private Res fill(String prefix) {
        for (int i = 0; i < 100; i++) {
            Res res = http.putApp(prefix + "-" + i, BIG);
            if (res.status() == 507) {
                return res;
            }
            assertStatus(res, 204);
        }
        throw new AssertionError("100 PUTs of 9,000 bytes fit a quota of " + LIMIT);
    }

    @Test
    void aPutOverTheQuotaGets507WithUsedAndLimitAndWritesNothing() {
        Res refused = fill("full");
        int stored = store.size();
        long seq = store.lastSeq();
        assertThat(stored, is((int) (LIMIT / (9_000 + 240 + "full-0".length())))); // values, names, 240 per app

        JsonObject problem = assertProblem(refused, 507);
        assertThat(refused.describe(), problem.getJsonNumber("limit").longValue(), is(LIMIT));
        long used = problem.getJsonNumber("used").longValue();
        assertThat(refused.describe(), used, lessThanOrEqualTo(LIMIT));
        assertThat(refused.describe(), used, greaterThan(LIMIT - 9_300));
        assertThat(problem.getString("detail"), containsString("store.max-bytes"));

        assertStatus(http.get("/api/apps/full-" + stored), 404);
        assertThat(store.size(), is(stored));
        assertThat(store.lastSeq(), is(seq));
        assertProblem(http.putApp("another", BIG), 507); // any name, not just the next one
    }

    @Test
    void readsGoOnAtTheQuota() {
        fill("reads");
        assertThat(http.get("/api/apps/reads-0").text(), is("{\"name\":\"reads-0\",\"data\":" + BIG + "}"));
        assertStatus(http.send("HEAD", "/api/apps/reads-1", (String) null), 200);
        assertThat(http.get("/api/apps?prefix=reads-").json().asJsonArray().size(), is(store.size()));
        assertStatus(http.get("/api/changes?since=" + (store.lastSeq() - 1)), 200);
        assertStatus(http.get("/api/export"), 200);
    }

    @Test
    void aDeleteFreesRoomAndTheRefusedWriteThenSucceeds() {
        int stored = store.size();
        fill("room");
        stored = store.size() - stored;
        assertStatus(http.delete("room-0"), 204);
        assertStatus(http.putApp("room-" + stored, BIG), 204);
        assertProblem(http.putApp("room-" + (stored + 1), BIG), 507); // the room is taken again
        assertStatus(http.delete("not-there"), 204); // deleting nothing is fine at the quota too
    }

    @Test
    void aSmallerValueMayReplaceALargerOneAtTheQuota() {
        fill("shrink");
        assertStatus(http.putApp("shrink-0", "{\"small\":true}"), 204);
        assertThat(http.get("/api/apps/shrink-0").text(), is("{\"name\":\"shrink-0\",\"data\":{\"small\":true}}"));
    }

    @Test
    void aPatchThatGrowsOverTheQuotaGets507AndChangesNothing() {
        assertStatus(http.putApp("patched", "{\"a\":1}"), 204);
        String etag = http.get("/api/apps/patched").header("ETag");
        fill("patch");

        Res res = http.patch("patched", MERGE, "{\"data\":{\"b\":" + BIG + "}}");
        JsonObject problem = assertProblem(res, 507);
        assertThat(res.describe(), problem.getJsonNumber("limit").longValue(), is(LIMIT));
        Res after = http.get("/api/apps/patched");
        assertThat(after.text(), is("{\"name\":\"patched\",\"data\":{\"a\":1}}"));
        assertThat(after.header("ETag"), is(etag));

        assertStatus(http.patch("patched", MERGE, "{\"data\":{\"a\":2}}"), 200); // same size: fits
    }

    @Test
    void anImportThatDoesNotFitGets507AndWritesNothing() {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 12; i++) { // 12 x 9,000 bytes: over the quota only all together
            lines.append("{\"name\":\"imported-")
                    .append(i)
                    .append("\",\"data\":")
                    .append(BIG)
                    .append("}\n");
        }
        Res res = http.send("POST", "/api/import", lines.toString(), "Content-Type", "application/x-ndjson");
        JsonObject problem = assertProblem(res, 507);
        assertThat(res.describe(), problem.getJsonNumber("limit").longValue(), is(LIMIT));
        assertThat(store.size(), is(0));

        Res fits = http.send(
                "POST",
                "/api/import",
                "{\"name\":\"imported\",\"data\":" + BIG + "}\n",
                "Content-Type",
                "application/x-ndjson");
        assertStatus(fits, 200);
        assertThat(store.size(), is(1));
    }

    @Test
    void concurrentImportsEachFitWholeOrWriteNothing() throws Exception {
        for (int round = 0; round < 5; round++) {
            Stores.empty(store);
            List<Future<Res>> answers = new ArrayList<>();
            try (ExecutorService clients = Executors.newFixedThreadPool(3)) {
                for (int i = 0; i < 3; i++) { // each 5 x 9,000 bytes: two fit the quota, three do not
                    StringBuilder lines = new StringBuilder();
                    for (int j = 0; j < 5; j++) {
                        lines.append("{\"name\":\"import-")
                                .append(i)
                                .append("-")
                                .append(j)
                                .append("\",\"data\":")
                                .append(BIG)
                                .append("}\n");
                    }
                    answers.add(clients.submit(() -> http.send(
                            "POST", "/api/import", lines.toString(), "Content-Type", "application/x-ndjson")));
                }
            }
            int written = 0;
            for (int i = 0; i < 3; i++) {
                Res res = answers.get(i).get();
                int present = 0;
                for (int j = 0; j < 5; j++) {
                    present += store.get("import-" + i + "-" + j) == null ? 0 : 1;
                }
                if (res.status() == 200) {
                    assertThat(res.describe(), present, is(5));
                    written++;
                } else {
                    assertProblem(res, 507);
                    assertThat("an import that got 507 wrote nothing: " + res.describe(), present, is(0));
                }
            }
            assertThat(store.size(), is(5 * written));
            assertThat(written, is(2));
        }
    }

    @Test
    void overwrittenValuesTheFeedKeepsGiveWayToNewWrites() {
        // 30 x 9,000 bytes through one app: the feed would keep the overwritten values, but only in the
        // room the stored values leave, so the quota never refuses a write that replaces same-size values.
        for (int i = 0; i < 30; i++) {
            assertStatus(http.putApp("rewritten", BIG), 204);
        }
        assertThat(store.usedBytes() + store.feedBytes(), lessThanOrEqualTo(LIMIT));
        assertThat(store.feedBytes(), greaterThan(0L)); // it kept what it had room for
        fill("after-rewrites");
        assertThat(store.usedBytes() + store.feedBytes(), lessThanOrEqualTo(LIMIT));
    }

    @Test
    void healthShowsUsageAndWarnsNearTheQuota() {
        JsonObject empty = storeCheck();
        assertThat(empty.toString(), empty.getJsonNumber("bytesLimit").longValue(), is(LIMIT));
        assertThat(empty.toString(), empty.containsKey("warning"), is(false));

        fill("health");
        JsonObject full = storeCheck(); // still UP: reads and deletes go on
        assertThat(full.toString(), full.getJsonNumber("bytesUsed").longValue(), greaterThanOrEqualTo(LIMIT * 9 / 10));
        assertThat(full.toString(), full.getJsonNumber("bytesUsed").longValue(), is(store.usedBytes()));
        assertThat(full.toString(), full.getString("warning"), containsString("memory quota"));
    }

    @Test
    void metricsShowUsageAndLimit() {
        assertStatus(http.putApp("metered", BIG), 204);
        double used = gauge("microstore_store_bytes_used");
        assertThat(used, is((double) store.usedBytes()));
        assertThat(used, greaterThanOrEqualTo(9_000.0));
        assertThat(gauge("microstore_store_bytes_limit"), is((double) LIMIT));
        assertThat(gauge("microstore_store_bytes_feed"), is((double) store.feedBytes()));
    }

    private JsonObject storeCheck() {
        Res res = http.get("/observe/health");
        assertStatus(res, 200);
        return res.json().asJsonObject().getJsonArray("checks").stream()
                .map(v -> v.asJsonObject())
                .filter(c -> c.getString("name").equals("store"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no store check in " + res.describe()))
                .getJsonObject("data");
    }

    private double gauge(String name) {
        Res res = http.get("/observe/metrics", "Accept", "text/plain");
        assertStatus(res, 200);
        Matcher m = Pattern.compile("(?m)^" + name + "(?:\\{[^}]*})? (\\S+)$").matcher(res.text());
        assertThat(name + " in\n" + res.text(), m.find(), is(true));
        return Double.parseDouble(m.group(1));
    }
}
