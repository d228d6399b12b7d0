package io.microstore.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.microstore.etcd.EtcdConfig;
import io.microstore.etcd.EtcdEngine;
import io.microstore.etcd.gateway.GatewayClient;
import io.microstore.local.LocalEngine;
import io.microstore.persist.MemoryPersistence;
import io.microstore.store.Store;
import io.microstore.store.feed.FeedConfig;
import io.microstore.testing.Eventually;
import io.microstore.testing.ServerTestBase;
import io.microstore.testing.SseStream;
import io.microstore.testing.Stores;
import io.microstore.testing.TestClient;
import io.microstore.testing.TestClient.Res;
import io.microstore.testing.TestClock;
import io.microstore.testing.TestServer;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.microstore.testing.TestClient.app;
import static io.microstore.testing.TestClient.assertOk;
import static io.microstore.testing.TestClient.assertProblem;
import static io.microstore.testing.TestClient.assertStatus;
import static io.microstore.testing.TestClient.encode;
import static io.microstore.testing.TestClient.seq;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

/**
 * Live queries, {@code GET /api/changes?where}, over HTTP on both engines: only the changes of apps the
 * selector matched before or after them, each with {@code event} enter, update or leave (and the leave's
 * {@code reason}: unmatched, deleted, expired), in a poll, a long-poll and an SSE stream whose events are
 * named by the same word; a transaction's changes together, with ids that resume exactly; 410 outside the
 * window; every 400 of {@code where}; a stream resumed on another instance (etcd). On the local engine time
 * is the test's clock; on etcd a lease expires on etcd's own clock.
 */
@Timeout(180)
class LiveQueryTest extends ServerTestBase {
    private static final String OPEN = "{\"/status\":\"open\"}";
    /** How long a waiting client is watched for an answer it must not give (a "never" can only be watched). */
    private static final Duration IGNORED = Duration.ofMillis(300);
    /** How long etcd may take past a deadline: its lessor looks for expired leases every 500 ms. */
    private static final Duration ETCD_EXPIRY = Duration.ofSeconds(10);

    private TestClock clock; // local engine only
    private LocalEngine engine; // local engine only
    private String prefix; // etcd only: the dataset's key prefix, for a second instance

    @Override
    protected Store openStore() throws IOException {
        if (Stores.etcdEngine()) {
            prefix = "/live-" + System.nanoTime() + "/";
            return etcdStore(FEED);
        }
        clock = new TestClock();
        engine = new LocalEngine(new MemoryPersistence(), Stores.LOCAL, clock);
        return Store.open(engine, FEED);
    }

    /** An instance of the class's etcd dataset (the same prefix). */
    private Store etcdStore(FeedConfig feed) throws IOException {
        GatewayClient client =
                new GatewayClient(Stores.cluster().endpoints(), Duration.ofMillis(500), Duration.ofSeconds(3));
        return Store.open(new EtcdEngine(client, prefix, EtcdConfig.DEFAULTS), feed, Long.MAX_VALUE);
    }

    // --- what a live query delivers ----------------------------------------------------------------

    @Test
    void enterUpdateAndEachLeaveReasonOfAClient() {
        long s = lastSeq();
        put("a", "{\"status\":\"closed\"}"); // never matched yet: nothing
        put("a", "{\"status\":\"open\",\"n\":1}"); // enter
        put("a", "{\"status\":\"open\",\"n\":2}"); // update
        assertStatus(http.patch("a", TestClient.MERGE, "{\"data\":{\"status\":\"done\"}}"), 200); // leave: unmatched
        put("b", "{\"status\":\"open\"}"); // enter
        assertStatus(http.delete("b"), 204); // leave: deleted
        put("c", "{\"status\":\"closed\"}");
        assertStatus(http.delete("c"), 204); // never matched: nothing
        put("d", "{\"status\":[\"open\"]}"); // an array holding the value is not the value: nothing

        JsonObject page = poll("since=" + s + "&where=" + encode(OPEN));
        assertThat(
                lines(page),
                is(List.of(
                        (s + 2) + " a put enter",
                        (s + 3) + " a put update",
                        (s + 4) + " a put leave unmatched",
                        (s + 5) + " b put enter",
                        (s + 6) + " b delete leave deleted")));
        assertThat(page.getJsonNumber("last_seq").longValue(), is(s + 9));

        JsonObject withData = poll("since=" + s + "&include=data&limit=2&where=" + encode(OPEN));
        assertThat(
                withData.getJsonArray("results").getJsonObject(1).toString(),
                is("{\"seq\":" + (s + 3) + ",\"name\":\"a\",\"op\":\"put\",\"etag\":\"\\\"" + (s + 3)
                        + "\\\"\",\"data\":{\"status\":\"open\",\"n\":2},\"event\":\"update\"}"));
        assertThat(
                "limit counts the changes delivered",
                withData.getJsonNumber("last_seq").longValue(),
                is(s + 3));

        // the unfiltered feed keeps its wire form: no event, no reason
        JsonObject plain = poll("since=" + s + "&limit=1");
        assertThat(plain.getJsonArray("results").getJsonObject(0).containsKey("event"), is(false));
    }

    @Test
    void anExpiryLeavesWithReasonExpiredAndAClientsDeleteOfATtlAppWithDeleted() throws Exception {
        long s = lastSeq();
        // t/x expires after t/y's two writes: on etcd, in real time, so with seconds to spare
        assertStatus(http.putApp("t/x?ttl=4", "{\"status\":\"open\"}"), 204);
        assertStatus(http.putApp("t/y?ttl=60", "{\"status\":\"open\"}"), 204);
        assertStatus(http.delete("t/y"), 204); // a client's delete of an app with a deadline
        pass(5);
        awaitGone("t/x");
        JsonObject page = poll("since=" + s + "&where=" + encode(OPEN));
        List<String> lines = lines(page);
        assertThat(lines.size(), is(4));
        assertThat(lines.get(0), is((s + 1) + " t/x put enter"));
        assertThat(lines.get(1), is((s + 2) + " t/y put enter"));
        assertThat(lines.get(2), is((s + 3) + " t/y delete leave deleted"));
        assertThat(lines.get(3), containsString(" t/x delete leave expired"));
    }

    @Test
    void aTransactionMovesSeveralAppsInAndOutTogether() throws Exception {
        put("a", "{\"status\":\"open\"}");
        put("b", "{\"status\":\"closed\"}");
        put("c", "{\"status\":\"open\"}");
        put("e", "{\"status\":\"open\",\"v\":1}");
        long s = lastSeq();
        Res txn = http.send(
                "POST",
                "/api/txn",
                "[{\"op\":\"put\",\"name\":\"a\",\"data\":{\"status\":\"closed\"}},"
                        + "{\"op\":\"put\",\"name\":\"b\",\"data\":{\"status\":\"open\"}},"
                        + "{\"op\":\"put\",\"name\":\"x\",\"data\":{\"status\":\"closed\"}},"
                        + "{\"op\":\"delete\",\"name\":\"c\"},"
                        + "{\"op\":\"patch\",\"name\":\"e\",\"merge\":{\"v\":2}},"
                        + "{\"op\":\"put\",\"name\":\"f\",\"data\":{\"status\":\"open\"}}]",
                "Content-Type",
                TestClient.JSON);
        assertStatus(txn, 200);
        long t = s + 1;
        assertThat(
                lines(poll("since=" + s + "&where=" + encode(OPEN))),
                is(List.of(
                        t + " a put leave unmatched",
                        t + " b put enter",
                        t + " c delete leave deleted",
                        t + " e put update",
                        t + " f put enter")));
        // limit=1 still takes the whole transaction
        assertThat(lines(poll("since=" + s + "&limit=1&where=" + encode(OPEN))).size(), is(5));

        // SSE ids count the changes of the whole commit (x, number 2, is not sent): resuming is exact
        List<String> ids = new ArrayList<>();
        try (SseStream stream = sse("/api/changes?since=" + s + "&where=" + encode(OPEN))) {
            for (String event : List.of("leave", "enter", "leave", "update", "enter")) {
                SseStream.Event e = stream.nextEvent();
                assertThat(e.event(), is(event));
                ids.add(e.id());
            }
        }
        assertThat(ids, is(List.of(t + ".0", t + ".1", t + ".3", t + ".4", String.valueOf(t))));
        try (SseStream stream = sse("/api/changes?where=" + encode(OPEN), "Last-Event-ID", t + ".1")) {
            SseStream.Event e = stream.nextEvent();
            assertThat(e.id() + " " + e.event(), is(t + ".3 leave"));
            assertThat(e.data(), containsString("\"reason\":\"deleted\""));
        }
        assertThat(
                lines(poll("since=" + t + ".3&where=" + encode(OPEN))),
                is(List.of(t + " e put update", t + " f put enter")));
    }

    @Test
    void combinesWithPrefix() {
        long s = lastSeq();
        put("in/a", "{\"status\":\"open\"}");
        put("out/a", "{\"status\":\"open\"}");
        assertThat(
                lines(poll("since=" + s + "&prefix=in/&where=" + encode(OPEN))),
                is(List.of((s + 1) + " in/a put enter")));
    }

    // --- waiting: long-poll and SSE ---------------------------------------------------------------------

    @Test
    void aLongPollWakesOnlyForItsResultSetAndIsCountedWhileItWaits() throws Exception {
        put("lp", "{\"status\":\"open\"}");
        long s = lastSeq();
        CompletableFuture<Res> poll =
                async(() -> http.get("/api/changes?since=" + s + "&wait=300&where=" + encode(OPEN)));
        Eventually.await("the live query is registered", () -> store.feed().liveQueries() == 1);
        put("other", "{\"status\":\"closed\"}");
        put("other", "{\"status\":\"shut\"}");
        Eventually.holds("not answered for apps outside its result set", IGNORED, () -> !poll.isDone());
        assertStatus(http.patch("lp", TestClient.MERGE, "{\"data\":{\"status\":\"closed\"}}"), 200);
        Res res = poll.get(60, TimeUnit.SECONDS);
        assertThat(lines(assertOk(res)), is(List.of((s + 3) + " lp put leave unmatched")));
        Eventually.await(
                "the live query is gone once answered", () -> store.feed().liveQueries() == 0);
    }

    @Test
    void aStreamNamesEventsByWhatTheyDidAndResumesBySinceAndLastEventId() throws Exception {
        long s = lastSeq();
        try (SseStream stream = sse("/api/changes?where=" + encode(OPEN) + "&include=data")) {
            assertThat(stream.status(), is(200));
            Eventually.await("the stream is registered", () -> store.feed().liveQueries() == 1);
            put("s", "{\"status\":\"closed\"}");
            put("s", "{\"status\":\"open\"}");
            put("s", "{\"status\":\"open\",\"k\":1}");
            assertStatus(http.delete("s"), 204);
            SseStream.Event enter = stream.nextEvent();
            assertThat(enter.id() + " " + enter.event(), is((s + 2) + " enter"));
            assertThat(enter.data(), containsString("\"data\":{\"status\":\"open\"},\"event\":\"enter\""));
            assertThat(stream.nextEvent().event(), is("update"));
            SseStream.Event leave = stream.nextEvent();
            assertThat(leave.id() + " " + leave.event(), is((s + 4) + " leave"));
            assertThat(leave.data(), containsString("\"reason\":\"deleted\""));
        }
        try (SseStream stream = sse("/api/changes?since=" + (s + 2) + "&where=" + encode(OPEN))) {
            assertThat(stream.nextEvent().id(), is(String.valueOf(s + 3)));
        }
        try (SseStream stream =
                sse("/api/changes?since=" + s + "&where=" + encode(OPEN), "Last-Event-ID", String.valueOf(s + 3))) {
            assertThat(stream.nextEvent().id(), is(String.valueOf(s + 4)));
        }
    }

    @Test
    void sinceOutsideTheWindowIsGoneAsForTheWholeFeed() throws Exception {
        Store small = Stores.etcdEngine()
                ? Stores.etcd(new FeedConfig(5, 1 << 20, 10, FEED.keepAlive()))
                : Stores.memory(new FeedConfig(5, 1 << 20, 10, FEED.keepAlive()));
        try (TestServer other = TestServer.start(small)) {
            TestClient client = other.http();
            long b = small.lastSeq();
            for (int i = 1; i <= 10; i++) {
                assertStatus(client.putApp("g/" + i, "{\"status\":\"open\"}"), 204);
            }
            Res gone = client.get("/api/changes?since=" + (b + 3) + "&where=" + encode(OPEN));
            assertProblem(gone, 410);
            assertThat(gone.json().asJsonObject().getJsonNumber("last_seq").longValue(), is(b + 10));
            assertProblem(client.get("/api/changes?since=" + (b + 3) + "&wait=5&where=" + encode(OPEN)), 410);
            try (SseStream stream = SseStream.open(
                    client.uri(), "/api/changes?where=" + encode(OPEN), 0, 30_000, "Last-Event-ID", "" + (b + 2))) {
                assertThat(stream.status(), is(410));
            }
            assertThat(
                    lines(assertOk(client.get("/api/changes?since=" + (b + 8) + "&where=" + encode(OPEN)))),
                    is(List.of((b + 9) + " g/9 put enter", (b + 10) + " g/10 put enter")));
        } finally {
            small.close();
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{",
                "[1]",
                "\"open\"",
                "{\"status\":\"open\"}",
                "{\"/a\":{\"$regex\":\"x\"}}",
                "{\"/a~2\":1}",
                "{\"$or\":[]}",
                "{\"/a\":{\"$in\":1}}",
                "{\"/a\":{\"$gt\":1,\"b\":2}}",
                "{\"/a\":1,\"/a\":2}"
            })
    void aBadWhereIs400InEveryForm(String where) throws Exception {
        String q = "/api/changes?where=" + encode(where);
        assertProblem(http.get(q), 400);
        assertProblem(http.get(q + "&wait=5"), 400);
        try (SseStream stream = sse(q)) {
            assertThat(stream.status(), is(400));
        }
    }

    @Test
    void overTheLimitsAndRepeatedWhereAre400() {
        StringBuilder in = new StringBuilder("{\"/a\":{\"$in\":[0");
        for (int i = 1; i <= 256; i++) {
            in.append(',').append(i);
        }
        String tooMany = in.append("]}}").toString();
        String deep = "{\"$not\":".repeat(16) + "{}" + "}".repeat(16);
        String big = "{\"/a\":\"" + "x".repeat(8 * 1024) + "\"}";
        for (String where : List.of(tooMany, deep, big)) {
            Res res = http.get("/api/changes?where=" + encode(where));
            assertProblem(res, 400);
        }
        assertProblem(http.get("/api/changes?where=" + encode(OPEN) + "&where=" + encode(OPEN)), 400);
    }

    // --- cluster mode -------------------------------------------------------------------------------

    @Test
    void aStreamResumesOnAnotherInstanceExactly() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Stores.etcdEngine(), "two instances of one dataset: etcd");
        long s = lastSeq();
        Store second = etcdStore(FEED);
        try (TestServer other = TestServer.start(second)) {
            String last;
            try (SseStream stream = sse("/api/changes?since=" + s + "&where=" + encode(OPEN))) {
                put("r", "{\"status\":\"open\"}");
                put("r", "{\"status\":\"open\",\"n\":1}");
                last = stream.nextEvent().id();
                assertThat(last, is(String.valueOf(s + 1)));
            }
            put("r", "{\"status\":\"gone\"}");
            try (SseStream stream = SseStream.open(
                    other.http().uri(), "/api/changes?where=" + encode(OPEN), 0, 30_000, "Last-Event-ID", last)) {
                assertThat(stream.status(), is(200));
                SseStream.Event update = stream.nextEvent();
                assertThat(update.id() + " " + update.event(), is((s + 2) + " update"));
                SseStream.Event leave = stream.nextEvent();
                assertThat(leave.id() + " " + leave.event(), is((s + 3) + " leave"));
                assertThat(leave.data(), containsString("\"reason\":\"unmatched\""));
            }
        } finally {
            second.close();
        }
    }

    // --- helpers ------------------------------------------------------------------------------------

    /**
     * The seq of the last change now: a write of an app no test's selector matches. On etcd the revision
     * moves with other datasets' writes too, so every test counts on from this write's own seq.
     */
    private long lastSeq() {
        Res res = http.putApp("seq-mark", "0");
        assertStatus(res, 204);
        return seq(res.header("ETag"));
    }

    private void put(String name, String data) {
        assertStatus(http.putApp(name, data), 204);
    }

    private JsonObject poll(String query) {
        return assertOk(http.get("/api/changes?" + query));
    }

    /** Each result as "seq name op event [reason]". */
    private static List<String> lines(JsonObject page) {
        List<String> lines = new ArrayList<>();
        for (JsonValue v : page.getJsonArray("results")) {
            JsonObject r = v.asJsonObject();
            lines.add(r.getJsonNumber("seq").longValue() + " " + r.getString("name") + " " + r.getString("op") + " "
                    + r.getString("event") + (r.containsKey("reason") ? " " + r.getString("reason") : ""));
        }
        return lines;
    }

    /**
     * Lets {@code seconds} pass: the local engine's clock moves on and its expiry runs (done when this
     * returns); on etcd, time passes for real.
     */
    private void pass(double seconds) throws InterruptedException {
        if (engine != null) {
            clock.advance(Duration.ofMillis((long) (seconds * 1000)));
            engine.expireDue();
        } else {
            // etcd expires a lease on its own clock, which no test can move on: the time has to pass.
            Thread.sleep((long) (seconds * 1000));
        }
    }

    private void awaitGone(String name) throws InterruptedException {
        Eventually.await(
                name + " expired",
                engine != null ? Duration.ofMillis(1) : ETCD_EXPIRY,
                () -> http.get(app(name)).status() == 404);
    }

    private SseStream sse(String pathAndQuery, String... headers) {
        try {
            return SseStream.open(http.uri(), pathAndQuery, 0, 30_000, headers);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private interface Call<T> {
        T call() throws Exception;
    }

    private static <T> CompletableFuture<T> async(Call<T> call) {
        CompletableFuture<T> future = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                future.complete(call.call());
            } catch (Throwable t) {
                future.completeExceptionally(t);
            }
        });
        return future;
    }
}
