package io.microstore.api;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.microstore.local.LocalEngine;
import io.microstore.persist.MemoryPersistence;
import io.microstore.store.Store;
import io.microstore.testing.Eventually;
import io.microstore.testing.ServerTestBase;
import io.microstore.testing.Stores;
import io.microstore.testing.TestClient.Res;
import io.microstore.testing.TestClock;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.microstore.testing.TestClient.app;
import static io.microstore.testing.TestClient.assertProblem;
import static io.microstore.testing.TestClient.assertStatus;
import static io.microstore.testing.TestClient.parse;
import static io.microstore.testing.TestClient.seq;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Expiry over HTTP ({@code PUT ?ttl=}), on both engines: the {@code Expires}, {@code Expires-In} and
 * {@code Cache-Control} headers, the app deleted at its deadline as by a DELETE (a seq, a plain delete in
 * the feed, a watch fires), a PATCH keeping the expiry, a PUT without ttl making the app permanent, and
 * the README's lock with a lease. On the local engine time is the test's ({@link TestClock}, moved on at
 * will); on etcd it passes for real (short TTLs, etcd's own lease expiry, awaited).
 */
class ExpiryTest extends ServerTestBase {
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME;
    /** How long etcd may take past a deadline: its lessor looks for expired leases every 500 ms. */
    private static final Duration ETCD_EXPIRY = Duration.ofSeconds(10);

    private TestClock clock; // local engine only
    private LocalEngine engine; // local engine only

    @Override
    protected Store openStore() throws IOException {
        if (Stores.etcdEngine()) {
            return newStore(FEED);
        }
        clock = new TestClock();
        engine = new LocalEngine(new MemoryPersistence(), Stores.LOCAL, clock);
        return Store.open(engine, FEED);
    }

    private boolean local() {
        return engine != null;
    }

    /** The store's time now: the test's clock, or the system's. */
    private long now() {
        return local() ? clock.millis() : System.currentTimeMillis();
    }

    /**
     * Lets {@code seconds} pass: the local engine's clock moves on and its expiry runs (done when this
     * returns); on etcd, time passes for real.
     */
    private void pass(double seconds) throws InterruptedException {
        if (local()) {
            clock.advance(Duration.ofMillis((long) (seconds * 1000)));
            engine.expireDue();
        } else {
            // etcd expires a lease on its own clock, which no test can move on: the time has to pass.
            Thread.sleep((long) (seconds * 1000));
        }
    }

    /** Waits until {@code name} has expired (at once on the local engine, after {@link #pass}). */
    private void awaitGone(String name) throws InterruptedException {
        Eventually.await(
                name + " expired",
                local() ? Duration.ofMillis(1) : ETCD_EXPIRY,
                () -> http.get(app(name)).status() == 404);
    }

    private static long expires(Res res) {
        return ZonedDateTime.parse(res.header("Expires"), HTTP_DATE).toInstant().toEpochMilli();
    }

    /**
     * Checks that {@code res} shows an expiry {@code ttl} seconds after the write that set it, which was
     * sent at {@code from} (exactly, on the test clock; on etcd, between {@code from} and now, whatever
     * the write took).
     */
    private void assertExpiry(Res res, long from, long ttl) {
        assertThat(res.describe(), res.header("Cache-Control"), is("no-cache"));
        long expires = expires(res);
        long left = Long.parseLong(res.header("Expires-In"));
        if (local()) {
            long deadline = from + ttl * 1000;
            assertThat(res.describe(), expires, is(deadline / 1000 * 1000)); // cut to the second
            assertThat(res.describe(), left, is((deadline - clock.millis()) / 1000));
        } else { // etcd grants at least its minimum TTL (2 s with the tests' 1 s election timeout)
            long seconds = Math.max(ttl, 2);
            assertThat(
                    res.describe(),
                    expires,
                    allOf(
                            greaterThanOrEqualTo(from + seconds * 1000 - 1000),
                            lessThanOrEqualTo(now() + seconds * 1000)));
            assertThat(res.describe(), left, lessThanOrEqualTo(seconds));
        }
    }

    private static void assertNoExpiry(Res res) {
        assertThat(res.describe(), res.header("Expires"), nullValue());
        assertThat(res.describe(), res.header("Expires-In"), nullValue());
        assertThat(res.describe(), res.header("Cache-Control"), nullValue());
    }

    /** The feed after {@code since} for {@code name}, as "op" words. */
    private List<String> changes(String name, long since) {
        Res res = http.get("/api/changes?since=" + since + "&prefix=" + name);
        assertStatus(res, 200);
        return res.json().asJsonObject().getJsonArray("results").stream()
                .map(v -> v.asJsonObject())
                .filter(c -> c.getString("name").equals(name))
                .map(c -> c.getString("op") + " " + c.getJsonNumber("seq").longValue())
                .toList();
    }

    @Test
    void aPutWithATtlShowsItsExpiryOnThePutGetHeadAnd304() {
        long from = now();
        Res put = http.putApp("ttl/shown?ttl=30", "{\"x\":1}");
        assertStatus(put, 204);
        assertExpiry(put, from, 30);
        Res get = http.get(app("ttl/shown"));
        assertStatus(get, 200);
        assertThat(get.header("Expires"), is(put.header("Expires")));
        assertExpiry(get, from, 30);
        Res head = http.send("HEAD", app("ttl/shown"), (byte[]) null);
        assertStatus(head, 200);
        assertThat(head.header("Expires"), is(put.header("Expires")));
        Res notModified = http.get(app("ttl/shown"), "If-None-Match", put.header("ETag"));
        assertStatus(notModified, 304);
        assertThat(notModified.header("Expires"), is(put.header("Expires")));
        assertThat(notModified.header("Cache-Control"), is("no-cache"));
    }

    @Test
    void anAppWithoutATtlHasNoExpiryHeaders() {
        Res put = http.putApp("ttl/none", "1");
        assertStatus(put, 204);
        assertNoExpiry(put);
        assertNoExpiry(http.get(app("ttl/none")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "2592001", "99999999", "1.5", "1e3", "abc", "", "%D9%A3", "+5", "%205"})
    void aTtlOutsideOneSecondToThirtyDaysIs400AndWritesNothing(String ttl) {
        long seq = store.lastSeq();
        Res res = http.putApp("ttl/bad?ttl=" + ttl, "1");
        JsonObject problem = assertProblem(res, 400);
        assertThat(
                problem.getString("detail"), containsString("ttl must be a whole number of seconds from 1 to 2592000"));
        assertStatus(http.get(app("ttl/bad")), 404);
        assertThat(store.lastSeq(), is(seq));
    }

    @ParameterizedTest
    @ValueSource(strings = {"PATCH", "DELETE"})
    void aTtlOnAPatchOrDeleteIs400AndChangesNothing(String method) {
        Res put = http.putApp("ttl/kept?ttl=60", "{\"x\":1}");
        assertStatus(put, 204);
        long seq = store.lastSeq();
        Res res = http.send(
                method,
                app("ttl/kept") + "?ttl=600",
                "{\"data\":{\"x\":2}}",
                "Content-Type",
                "application/merge-patch+json");
        assertThat(
                assertProblem(res, 400).getString("detail"),
                containsString("ttl belongs to a PUT, not to a " + method));
        assertThat(store.lastSeq(), is(seq));
        Res get = http.get(app("ttl/kept"));
        assertThat(get.text(), containsString("\"x\":1"));
        assertThat(get.header("Expires"), is(put.header("Expires")));
    }

    @Test
    void twoTtlsAre400() {
        assertProblem(http.putApp("ttl/twice?ttl=5&ttl=6", "1"), 400);
    }

    @Test
    void thirtyDaysIsTheLongestTtl() {
        long from = now();
        Res put = http.putApp("ttl/month?ttl=2592000", "1");
        assertStatus(put, 204);
        assertExpiry(put, from, 2_592_000);
        assertStatus(http.delete("ttl/month"), 204);
    }

    @Test
    void theAppExpiresAsADeleteInTheFeedAndAWatchOnItFires() throws Exception {
        Res put = http.putApp("ttl/expiring?ttl=2", "\"soon\"");
        assertStatus(put, 204);
        long putSeq = seq(put.header("ETag"));
        CompletableFuture<Res> watch = CompletableFuture.supplyAsync(
                () -> http.get(app("ttl/expiring") + "?wait=30", "If-None-Match", put.header("ETag")));
        awaitWaiting(1); // the watch is waiting
        if (local()) {
            pass(1.999);
            assertStatus(http.get(app("ttl/expiring")), 200);
            assertThat(watch.isDone(), is(false));
        }
        pass(local() ? 0.001 : 2);
        awaitGone("ttl/expiring");
        assertProblem(watch.get(ETCD_EXPIRY.toSeconds(), TimeUnit.SECONDS), 404);
        List<String> changes = changes("ttl/expiring", putSeq - 1);
        assertThat(changes.toString(), changes.size(), is(2));
        assertThat(changes.get(0), is("put " + putSeq));
        assertThat(changes.get(1), containsString("delete "));
        assertThat(Long.parseLong(changes.get(1).substring("delete ".length())), greaterThan(putSeq));
    }

    @Test
    void aPatchKeepsTheExpiry() {
        long from = now();
        Res put = http.putApp("ttl/patched?ttl=60", "{\"a\":1}");
        assertStatus(put, 204);
        Res patched = http.patch("ttl/patched", "application/merge-patch+json", "{\"data\":{\"b\":2}}");
        assertStatus(patched, 200);
        assertThat(patched.header("Expires"), is(put.header("Expires")));
        assertExpiry(patched, from, 60);
        Res get = http.get(app("ttl/patched"));
        assertThat(get.json().asJsonObject().get("data"), is(parse("{\"a\":1,\"b\":2}")));
        assertThat(get.header("Expires"), is(put.header("Expires")));
    }

    @Test
    void aPutWithoutTtlMakesTheAppPermanentAgain() throws Exception {
        assertStatus(http.putApp("ttl/kept?ttl=2", "1"), 204);
        Res permanent = http.putApp("ttl/kept", "2");
        assertStatus(permanent, 204);
        assertNoExpiry(permanent);
        pass(local() ? 3 : 4);
        Res get = http.get(app("ttl/kept"));
        assertStatus(get, 200);
        assertNoExpiry(get);
        assertThat(get.header("ETag"), is(permanent.header("ETag")));
    }

    @Test
    void aRenewalRestartsTheClock() throws Exception {
        // 2 s to spare on each side: on etcd the renewal must arrive before the first lease ends, in real time
        Res first = http.putApp("ttl/renewed?ttl=5", "1");
        assertStatus(first, 204);
        pass(3);
        long from = now();
        Res renewed = http.putApp("ttl/renewed?ttl=5", "2", "If-Match", first.header("ETag"));
        assertStatus(renewed, 204);
        assertExpiry(renewed, from, 5);
        pass(3); // 6 s after the first deadline was set, 3 s after the renewal
        Res get = http.get(app("ttl/renewed"));
        // on etcd time is real: a GET answered after the renewed deadline is no test of it (a loaded machine)
        assumeTrue(
                local() || System.currentTimeMillis() < expires(renewed),
                "the GET was answered after the renewed deadline: too slow a machine to test this on etcd");
        assertStatus(get, 200);
        assertThat(get.header("ETag"), is(renewed.header("ETag")));
        pass(local() ? 2 : 2.5);
        awaitGone("ttl/renewed");
    }

    /** The README's recipe: If-None-Match: * with a ttl is a lock with a lease. */
    @Test
    void aLockWithALease() throws Exception {
        String lock = "ttl/lock";
        Res acquired = http.putApp(lock + "?ttl=30", "\"client-1\"", "If-None-Match", "*");
        assertStatus(acquired, 204);
        Res taken = http.putApp(lock + "?ttl=30", "\"client-2\"", "If-None-Match", "*");
        assertProblem(taken, 412);
        assertThat(taken.header("ETag"), is(acquired.header("ETag")));
        Res renewed = http.putApp(lock + "?ttl=30", "\"client-1\"", "If-Match", acquired.header("ETag"));
        assertStatus(renewed, 204);
        assertProblem(http.delete(lock, "If-Match", acquired.header("ETag")), 412); // an old lease releases nothing
        assertStatus(http.delete(lock, "If-Match", renewed.header("ETag")), 204); // released
        Res again = http.putApp(lock + "?ttl=2", "\"client-2\"", "If-None-Match", "*");
        assertStatus(again, 204);
        // client-2 dies without releasing: its lease runs out and client-3 gets the lock
        pass(2);
        awaitGone(lock);
        assertStatus(http.putApp(lock + "?ttl=30", "\"client-3\"", "If-None-Match", "*"), 204);
        assertStatus(http.delete(lock), 204);
    }

    @Test
    void aListingWithDataShowsNoExpiry() {
        assertStatus(http.putApp("ttl-list/a?ttl=60", "1"), 204);
        Res list = http.get("/api/apps?prefix=ttl-list/&include=data");
        assertStatus(list, 200);
        assertThat(list.json(), is(parse("[{\"name\":\"ttl-list/a\",\"data\":1}]")));
        assertNoExpiry(list);
    }

    // --- export and import ----------------------------------------------------------------------

    private Res importLines(String lines) {
        return http.send("POST", "/api/import", lines, "Content-Type", "application/x-ndjson");
    }

    /** The export's lines of the apps under {@code prefix}. */
    private List<String> exported(String prefix) {
        Res res = http.get("/api/export");
        assertStatus(res, 200);
        return res.text()
                .lines()
                .filter(l -> l.startsWith("{\"name\":\"" + prefix))
                .toList();
    }

    @Test
    void anExportShowsTheDeadlineAndAnImportOfItKeepsIt() throws Exception {
        Res put = http.putApp("ttl-export/a?ttl=60", "1");
        assertStatus(put, 204);
        assertStatus(http.putApp("ttl-export/b", "2"), 204);
        String deadline =
                Instant.ofEpochMilli(store.get("ttl-export/a").expires()).toString();
        List<String> lines = exported("ttl-export/");
        assertThat(
                lines,
                is(List.of(
                        "{\"name\":\"ttl-export/a\",\"data\":1,\"expires\":\"" + deadline + "\"}",
                        "{\"name\":\"ttl-export/b\",\"data\":2}")));

        assertStatus(http.delete("ttl-export/a"), 204);
        assertStatus(http.delete("ttl-export/b"), 204);
        Res imported = importLines(String.join("\n", lines));
        assertStatus(imported, 200);
        assertThat(imported.text(), is("{\"imported\":2,\"expired\":0,\"refused\":[]}"));
        Res a = http.get(app("ttl-export/a"));
        assertStatus(a, 200);
        if (local()) {
            assertThat(a.header("Expires"), is(put.header("Expires")));
        } else { // an etcd lease's TTL is whole seconds, rounded up, from the grant
            assertThat(
                    a.describe(),
                    expires(a),
                    allOf(greaterThanOrEqualTo(expires(put)), lessThanOrEqualTo(expires(put) + 2000)));
        }
        assertNoExpiry(http.get(app("ttl-export/b")));
    }

    @Test
    void anImportedAppExpiresAtItsDeadline() throws Exception {
        String soon = Instant.ofEpochMilli(now() + 2000).toString();
        Res imported = importLines("{\"name\":\"ttl-import/soon\",\"data\":1,\"expires\":\"" + soon + "\"}");
        assertThat(imported.text(), is("{\"imported\":1,\"expired\":0,\"refused\":[]}"));
        assertStatus(http.get(app("ttl-import/soon")), 200);
        pass(2.5);
        awaitGone("ttl-import/soon");
    }

    @Test
    void anImportedAppWhoseDeadlineHasPassedIsLeftOut() {
        assertStatus(http.putApp("ttl-import/past", "\"kept\""), 204);
        String past = Instant.ofEpochMilli(now() - 1).toString();
        Res imported = importLines("{\"name\":\"ttl-import/past\",\"data\":\"gone\",\"expires\":\"" + past + "\"}\n"
                + "{\"name\":\"ttl-import/epoch\",\"data\":1,\"expires\":\"1970-01-01T00:00:00Z\"}\n"
                + "{\"name\":\"ttl-import/present\",\"data\":1}");
        assertStatus(imported, 200);
        assertThat(imported.text(), is("{\"imported\":1,\"expired\":2,\"refused\":[]}"));
        assertThat(
                "as if it had expired before the import",
                http.get(app("ttl-import/past")).text(),
                containsString("\"kept\""));
        assertStatus(http.get(app("ttl-import/epoch")), 404);
        assertStatus(http.get(app("ttl-import/present")), 200);
    }

    /** An import whose second line has {@code expires} is a 400 saying {@code detail}, and writes nothing. */
    private void assertImportRefused(String expires, String detail) {
        long seq = store.lastSeq();
        Res res = importLines(
                "{\"name\":\"ttl-bad/a\",\"data\":1}\n{\"name\":\"ttl-bad/b\",\"data\":1,\"expires\":" + expires + "}");
        assertThat(assertProblem(res, 400).getString("detail"), containsString(detail));
        assertStatus(http.get(app("ttl-bad/a")), 404);
        assertThat(store.lastSeq(), is(seq));
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"tomorrow\"", "12345", "null", "\"2030-13-01T00:00:00Z\"", "\"2030-01-01\"", "{}"})
    void anExpiresThatIsNotATimeRefusesTheImport(String expires) {
        assertImportRefused(expires, "line 2: \"expires\" must be an RFC 3339 time");
    }

    @Test
    void aDeadlineMoreThanThirtyDaysAwayRefusesTheImport() {
        Instant far = Instant.ofEpochMilli(now() + Store.MAX_TTL.toMillis() + 60_000);
        assertImportRefused("\"" + far + "\"", "ttl-bad/b expires more than 30 days from now");
    }
}
