package io.microstore.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import io.microstore.store.Transaction;
import io.microstore.testing.ServerTestBase;
import io.microstore.testing.SseStream;
import io.microstore.testing.TestClient;
import io.microstore.testing.TestClient.Res;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static io.microstore.testing.TestClient.app;
import static io.microstore.testing.TestClient.assertJson;
import static io.microstore.testing.TestClient.assertOk;
import static io.microstore.testing.TestClient.assertProblem;
import static io.microstore.testing.TestClient.assertStatus;
import static io.microstore.testing.TestClient.etag;
import static io.microstore.testing.TestClient.parse;
import static io.microstore.testing.TestClient.seq;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.both;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

/**
 * {@code POST /api/txn}: all or nothing with one seq, the refusals with the failing operation's index, the
 * feed delivering a transaction together (JSON and SSE, resumed), readers never seeing part of one, and
 * etcd's per-txn limit. Runs on both engines.
 */
@Timeout(120)
class TxnTest extends ServerTestBase {
    private static final int SSE_TIMEOUT = 10_000;

    @Override
    protected Map<String, String> settings() {
        return Map.of("server.max-payload-size", "65536");
    }

    private Res txn(String json) {
        return http.send("POST", "/api/txn", json, "Content-Type", TestClient.JSON);
    }

    private String put(String name, String data) {
        Res res = http.put(name, "{\"data\":" + data + "}");
        assertStatus(res, 204);
        return res.header("ETag");
    }

    private JsonValue data(String name) {
        Res res = http.get(app(name));
        assertStatus(res, 200);
        return res.json().asJsonObject().get("data");
    }

    // --- all or nothing, one seq --------------------------------------------------------------

    @Test
    void everyChangeOfATransactionTakesItsOneSeq() {
        String lock = put("lock", "\"mine\"");
        put("cfg", "{\"color\":\"blue\",\"retries\":3}");
        put("b", "1");
        long s = store.lastSeq();

        Res res = txn("[{\"op\":\"check\",\"name\":\"lock\",\"if_match\":" + TestClient.quote(lock) + "},"
                + "{\"op\":\"put\",\"name\":\"a\",\"data\":{\"x\":1}},"
                + "{\"op\":\"patch\",\"name\":\"cfg\",\"merge\":{\"retries\":null,\"size\":2}},"
                + "{\"op\":\"delete\",\"name\":\"b\"}]");
        String tag = TestClient.quote(etag(s + 1));
        assertJson(
                res,
                200,
                "{\"seq\":" + (s + 1) + ",\"results\":["
                        + "{\"op\":\"check\",\"name\":\"lock\",\"etag\":" + TestClient.quote(lock) + "},"
                        + "{\"op\":\"put\",\"name\":\"a\",\"etag\":" + tag + "},"
                        + "{\"op\":\"patch\",\"name\":\"cfg\",\"etag\":" + tag + "},"
                        + "{\"op\":\"delete\",\"name\":\"b\"}]}");
        assertThat(store.lastSeq(), is(s + 1));
        assertThat(http.get(app("a")).header("ETag"), is(etag(s + 1)));
        assertThat(data("a"), is(parse("{\"x\":1}")));
        assertThat(http.get(app("cfg")).header("ETag"), is(etag(s + 1)));
        assertThat(data("cfg"), is(parse("{\"color\":\"blue\",\"size\":2}")));
        assertProblem(http.get(app("b")), 404);
        assertThat(http.get(app("lock")).header("ETag"), is(lock));
        assertThat(put("next", "1"), is(etag(s + 2)));
    }

    /** A put's ttl works as {@code PUT ?ttl=} does; a patch in a transaction keeps the app's deadline. */
    @Test
    void aPutsTtlGivesItsAppADeadlineAndAPatchKeepsIt() {
        put("cfg", "{\"a\":1}");
        Res res = txn("[{\"op\":\"put\",\"name\":\"lease\",\"data\":\"me\",\"ttl\":60,\"if_none_match\":\"*\"},"
                + "{\"op\":\"patch\",\"name\":\"cfg\",\"merge\":{\"b\":2}}]");
        assertStatus(res, 200);
        Res lease = http.get(app("lease"));
        assertStatus(lease, 200);
        assertThat(lease.header("Expires"), is(notNullValue()));
        assertThat(
                Integer.parseInt(lease.header("Expires-In")),
                is(both(greaterThan(50)).and(lessThanOrEqualTo(60))));
        assertThat(http.get(app("cfg")).header("Expires"), is(nullValue()));
        String expires = lease.header("Expires");
        assertStatus(txn("[{\"op\":\"patch\",\"name\":\"lease\",\"merge\":\"you\"}]"), 200);
        Res patched = http.get(app("lease"));
        assertThat(patched.json().asJsonObject().getString("data"), is("you"));
        assertThat(patched.header("Expires"), is(expires));
        assertStatus(txn("[{\"op\":\"put\",\"name\":\"lease\",\"data\":\"permanent\"}]"), 200);
        assertThat(http.get(app("lease")).header("Expires"), is(nullValue()));
    }

    @Test
    void aMergeIsAMergePatchOfTheData() {
        put("obj", "{\"a\":{\"b\":1,\"c\":2},\"d\":[1]}");
        put("toNull", "{\"a\":1}");
        put("toArray", "{\"a\":1}");
        assertStatus(
                txn("[{\"op\":\"patch\",\"name\":\"obj\",\"merge\":{\"a\":{\"c\":null,\"e\":3},\"d\":[2]}},"
                        + "{\"op\":\"patch\",\"name\":\"toNull\",\"merge\":null},"
                        + "{\"op\":\"patch\",\"name\":\"toArray\",\"merge\":[1,{\"x\":null}]}]"),
                200);
        assertThat(data("obj"), is(parse("{\"a\":{\"b\":1,\"e\":3},\"d\":[2]}")));
        assertThat(data("toNull"), is(JsonValue.NULL));
        assertThat(data("toArray"), is(parse("[1,{\"x\":null}]")));
    }

    @Test
    void aTransactionThatChangesNothingTakesNoSeq() {
        String lock = put("lock", "1");
        long s = store.lastSeq();
        Res res = txn("[{\"op\":\"check\",\"name\":\"lock\",\"if_match\":\"*\"},"
                + "{\"op\":\"check\",\"name\":\"free\",\"if_none_match\":\"*\"},"
                + "{\"op\":\"delete\",\"name\":\"never\"}]");
        assertJson(
                res,
                200,
                "{\"seq\":" + s + ",\"results\":["
                        + "{\"op\":\"check\",\"name\":\"lock\",\"etag\":" + TestClient.quote(lock) + "},"
                        + "{\"op\":\"check\",\"name\":\"free\"},{\"op\":\"delete\",\"name\":\"never\"}]}");
        assertThat(store.lastSeq(), is(s));
        assertThat(put("next", "1"), is(etag(s + 1)));
    }

    // --- refusals -----------------------------------------------------------------------------

    @Test
    void theFirstFailedConditionRefusesAllWith412AndItsIndexBeforeAnyOtherRefusal() {
        String lock = put("lock", "1");
        put("taken", "1");
        String moved = put("lock", "2"); // lock's first tag is stale now
        long s = store.lastSeq();

        // a patch of an absent app (404) comes first, but conditions are tested before anything else
        Res res = txn("[{\"op\":\"patch\",\"name\":\"absent\",\"merge\":{}},"
                + "{\"op\":\"put\",\"name\":\"x\",\"data\":1},"
                + "{\"op\":\"check\",\"name\":\"lock\",\"if_match\":" + TestClient.quote(lock) + "},"
                + "{\"op\":\"put\",\"name\":\"taken\",\"data\":2,\"if_none_match\":\"*\"}]");
        JsonObject problem = assertProblem(res, 412);
        assertThat(problem.getInt("index"), is(2));
        assertThat(problem.getString("etag"), is(moved));
        assertThat(problem.getString("detail"), containsString("operation 2"));
        assertThat("no ETag header: the answer is not about one app", res.header("ETag"), is(nullValue()));

        JsonObject exists = assertProblem(
                txn("[{\"op\":\"put\",\"name\":\"x\",\"data\":1},"
                        + "{\"op\":\"put\",\"name\":\"taken\",\"data\":2,\"if_none_match\":\"*\"}]"),
                412);
        assertThat(exists.getInt("index"), is(1));
        JsonObject absent = assertProblem(txn("[{\"op\":\"delete\",\"name\":\"gone\",\"if_match\":\"*\"}]"), 412);
        assertThat(absent.getInt("index"), is(0));
        assertThat("the app does not exist: no etag", absent, not(hasKey("etag")));

        assertProblem(http.get(app("x")), 404);
        assertThat(data("taken"), is(parse("1")));
        assertThat("nothing was written", store.lastSeq(), is(s));
    }

    @Test
    void aPatchThatCannotApplyIsRefusedAsPatchWouldBeWithItsIndex() {
        put("twice", "{\"k\":1,\"k\":2}"); // stored as sent; a patch cannot tell which "k" it means: 422
        long s = store.lastSeq();
        JsonObject missing = assertProblem(
                txn("[{\"op\":\"put\",\"name\":\"x\",\"data\":1},"
                        + "{\"op\":\"patch\",\"name\":\"absent\",\"merge\":{\"a\":1}}]"),
                404);
        assertThat(missing.getInt("index"), is(1));
        JsonObject ambiguous = assertProblem(
                txn("[{\"op\":\"patch\",\"name\":\"twice\",\"merge\":{\"k\":3}},"
                        + "{\"op\":\"patch\",\"name\":\"absent\",\"merge\":{\"a\":1}}]"),
                422);
        assertThat(ambiguous.getInt("index"), is(0));
        String big = "\"" + "x".repeat(40_000) + "\"";
        put("big", "{\"a\":" + big + "}");
        long t = store.lastSeq();
        JsonObject tooLarge = assertProblem(
                txn("[{\"op\":\"patch\",\"name\":\"big\",\"merge\":{\"b\":" + "\"" + "y".repeat(30_000) + "\"}}]"),
                422);
        assertThat(tooLarge.getInt("index"), is(0));
        assertThat(tooLarge.getString("detail"), containsString("larger than 65536"));
        assertProblem(http.get(app("x")), 404);
        assertThat(store.lastSeq(), is(t));
        assertThat(t, is(s + 1));
    }

    static Stream<Arguments> malformed() {
        String ops129 = String.join(
                ",", java.util.Collections.nCopies(Transaction.MAX_COMMANDS + 1, "{\"op\":\"delete\",\"name\":\"n\"}"));
        return Stream.of(
                Arguments.of("{\"op\":\"put\",\"name\":\"a\",\"data\":1}", -1, "expected a JSON array"),
                Arguments.of("[{\"op\":\"put\"", -1, "not valid JSON"),
                Arguments.of("", -1, "empty body"),
                Arguments.of("[]", -1, "empty"),
                Arguments.of("[" + ops129 + "]", -1, "at most 128"),
                Arguments.of("[1]", 0, "JSON object"),
                Arguments.of("[{\"op\":\"get\",\"name\":\"a\"}]", 0, "\"op\" must be"),
                Arguments.of("[{\"op\":\"put\",\"data\":1}]", 0, "\"name\""),
                Arguments.of("[{\"op\":\"put\",\"name\":7,\"data\":1}]", 0, "\"name\""),
                Arguments.of("[{\"op\":\"put\",\"name\":\"a\"}]", 0, "needs \"data\""),
                Arguments.of("[{\"op\":\"delete\",\"name\":\"a\",\"data\":1}]", 0, "\"data\" belongs to a put"),
                Arguments.of("[{\"op\":\"put\",\"name\":\"a\",\"data\":1,\"merge\":{}}]", 0, "\"merge\" belongs"),
                Arguments.of("[{\"op\":\"patch\",\"name\":\"a\"}]", 0, "needs \"merge\""),
                Arguments.of("[{\"op\":\"check\",\"name\":\"a\"}]", 0, "a check needs"),
                Arguments.of("[{\"op\":\"put\",\"name\":\"a\",\"data\":1,\"If-Match\":\"*\"}]", 0, "unknown member"),
                Arguments.of("[{\"op\":\"put\",\"name\":\"a\",\"data\":1,\"if_match\":\"17\"}]", 0, "entity tags"),
                Arguments.of("[{\"op\":\"put\",\"name\":\"a\",\"data\":1,\"if_match\":\"\"}]", 0, "if_match is empty"),
                Arguments.of(
                        "[{\"op\":\"put\",\"name\":\"a\",\"data\":1,\"if_match\":[\"\\\"1\\\"\"]}]", 0, "a string"),
                Arguments.of("[{\"op\":\"put\",\"name\":\"a\",\"data\":1,\"ttl\":0}]", 0, "ttl must be"),
                Arguments.of("[{\"op\":\"put\",\"name\":\"a\",\"data\":1,\"ttl\":2592001}]", 0, "ttl must be"),
                Arguments.of("[{\"op\":\"put\",\"name\":\"a\",\"data\":1,\"ttl\":\"60\"}]", 0, "ttl must be"),
                Arguments.of("[{\"op\":\"put\",\"name\":\"a\",\"data\":1,\"ttl\":1.5}]", 0, "ttl must be"),
                Arguments.of("[{\"op\":\"delete\",\"name\":\"a\",\"ttl\":60}]", 0, "\"ttl\" belongs to a put"),
                Arguments.of(
                        "[{\"op\":\"put\",\"name\":\"a\",\"data\":1},{\"op\":\"delete\",\"name\":\"b\"},"
                                + "{\"op\":\"check\",\"name\":\"a\",\"if_match\":\"*\"}]",
                        2,
                        "operation 0 already"),
                Arguments.of(
                        "[{\"op\":\"put\",\"name\":\"ok\",\"data\":1},{\"op\":\"put\",\"name\":\"\",\"data\":1}]",
                        1,
                        "name is empty"),
                Arguments.of(
                        "[{\"op\":\"put\",\"name\":\"ok\",\"data\":1},{\"op\":\"put\",\"name\":\"a\\u0001\",\"data\":1}]",
                        1,
                        "control character"),
                Arguments.of(
                        "[{\"op\":\"put\",\"name\":\"?\",\"data\":1},{\"op\":\"put\",\"name\":\"\\ud800\",\"data\":1}]",
                        1,
                        "unpaired UTF-16 surrogate"),
                Arguments.of("[{\"op\":\"patch\",\"name\":\"a\",\"merge\":{\"n\":1,\"n\":2}}]", 0, "\"n\" twice"));
    }

    @ParameterizedTest
    @MethodSource("malformed")
    void aMalformedTransactionIs400WithTheIndexOfTheBadOperation(String body, int index, String detail) {
        put("a", "0");
        long s = store.lastSeq();
        JsonObject problem = assertProblem(txn(body), 400);
        assertThat(problem.getString("detail"), containsString(detail));
        if (index < 0) {
            assertThat(problem, not(hasKey("index")));
        } else {
            assertThat(problem.getInt("index"), is(index));
            assertThat(problem.getString("detail"), containsString("operation " + index + ": "));
        }
        assertThat("nothing was written", store.lastSeq(), is(s));
        assertProblem(http.get(app("ok")), 404);
    }

    @Test
    void otherMethodsAre405AndOtherMediaTypes415() {
        for (String method : new String[] {"GET", "PUT", "DELETE", "PATCH"}) {
            Res res = http.send(method, "/api/txn", "[]".getBytes(), "Content-Type", "application/json");
            assertProblem(res, 405);
            assertThat(res.header("Allow"), is("POST"));
        }
        Res text = http.send("POST", "/api/txn", "[]", "Content-Type", "text/plain");
        assertProblem(text, 415);
        assertThat(text.header("Accept"), is("application/json"));
    }

    // --- etcd's limit: every list of the txn holds one entry per operation at most --------------

    @Test
    void aTransactionOf128OperationsFits() {
        List<String> tags = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            tags.add(put("c" + i, String.valueOf(i)));
        }
        long s = store.lastSeq();
        StringBuilder checksAndCreates = new StringBuilder("[");
        for (int i = 0; i < 64; i++) {
            checksAndCreates
                    .append("{\"op\":\"check\",\"name\":\"c")
                    .append(i)
                    .append("\",\"if_match\":")
                    .append(TestClient.quote(tags.get(i)))
                    .append("},");
            checksAndCreates
                    .append("{\"op\":\"put\",\"name\":\"p")
                    .append(i)
                    .append("\",\"data\":")
                    .append(i)
                    .append(",\"if_none_match\":\"*\"}")
                    .append(i < 63 ? "," : "]");
        }
        JsonObject first = assertOk(txn(checksAndCreates.toString()));
        assertThat(first.getJsonNumber("seq").longValue(), is(s + 1));
        assertThat(first.getJsonArray("results").size(), is(128));

        StringBuilder conditionalPuts = new StringBuilder("[");
        for (int i = 0; i < 128; i++) {
            conditionalPuts
                    .append("{\"op\":\"put\",\"name\":\"")
                    .append(i < 64 ? "c" + i : "p" + (i - 64))
                    .append("\",\"data\":\"v\",\"if_match\":\"*\"}")
                    .append(i < 127 ? "," : "]");
        }
        JsonObject second = assertOk(txn(conditionalPuts.toString()));
        assertThat(second.getJsonNumber("seq").longValue(), is(s + 2));
        assertThat(
                http.get("/api/apps?include=data&prefix=p").json().asJsonArray().size(), is(64));
        assertThat(data("p63"), is(parse("\"v\"")));
        assertThat(http.get(app("c0")).header("ETag"), is(etag(s + 2)));
    }

    // --- the feed -----------------------------------------------------------------------------

    @Test
    void theFeedDeliversATransactionTogetherAndAPageNeverSplitsIt() throws Exception {
        long s = store.lastSeq();
        ExecutorService waiter = Executors.newSingleThreadExecutor();
        try {
            Future<Res> longPoll = waiter.submit(() -> http.get("/api/changes?since=" + s + "&limit=1&wait=30"));
            awaitWaiting(1); // the long-poll waits first, so the transaction wakes it
            assertStatus(
                    txn("[{\"op\":\"put\",\"name\":\"f/a\",\"data\":1},{\"op\":\"put\",\"name\":\"g/b\",\"data\":2},"
                            + "{\"op\":\"put\",\"name\":\"f/c\",\"data\":3}]"),
                    200);
            String all = "{\"results\":[{\"seq\":S,\"name\":\"f/a\",\"op\":\"put\",\"etag\":\"\\\"S\\\"\"},"
                    + "{\"seq\":S,\"name\":\"g/b\",\"op\":\"put\",\"etag\":\"\\\"S\\\"\"},"
                    + "{\"seq\":S,\"name\":\"f/c\",\"op\":\"put\",\"etag\":\"\\\"S\\\"\"}],\"last_seq\":S}";
            assertJson(longPoll.get(30, TimeUnit.SECONDS), 200, all.replace("S", String.valueOf(s + 1)));
            assertJson(http.get("/api/changes?since=" + s + "&limit=1"), 200, all.replace("S", String.valueOf(s + 1)));
            JsonObject filtered = assertOk(http.get("/api/changes?since=" + s + "&limit=1&prefix=f/&include=data"));
            assertThat(filtered.getJsonArray("results").size(), is(2));
            assertThat(filtered.getJsonArray("results").getJsonObject(1).get("data"), is(parse("3")));
            assertThat(filtered.getJsonNumber("last_seq").longValue(), is(s + 1));
        } finally {
            waiter.shutdownNow();
        }
    }

    @Test
    void inSseEveryEventOfATransactionCarriesAnIdThatResumesRightAfterIt() throws IOException {
        long s = store.lastSeq();
        String t = String.valueOf(s + 2);
        put("e/x", "0");
        assertStatus(
                txn("[{\"op\":\"put\",\"name\":\"e/a\",\"data\":1},{\"op\":\"delete\",\"name\":\"e/x\"},"
                        + "{\"op\":\"put\",\"name\":\"e/b\",\"data\":2}]"),
                200);
        put("e/y", "3");
        try (SseStream stream = sse("/api/changes?since=" + s)) {
            assertEvent(stream.nextEvent(), String.valueOf(s + 1), "put", "e/x");
            assertEvent(stream.nextEvent(), t + ".0", "put", "e/a");
            assertEvent(stream.nextEvent(), t + ".1", "delete", "e/x");
            assertEvent(stream.nextEvent(), t, "put", "e/b");
            assertEvent(stream.nextEvent(), String.valueOf(s + 3), "put", "e/y");
        }
        // A client cut off after e/a resumes with the rest of the transaction, nothing of it twice.
        try (SseStream resumed = sse("/api/changes", "Last-Event-ID", t + ".0")) {
            assertEvent(resumed.nextEvent(), t + ".1", "delete", "e/x");
            assertEvent(resumed.nextEvent(), t, "put", "e/b");
            assertEvent(resumed.nextEvent(), String.valueOf(s + 3), "put", "e/y");
        }
        // A prefix that matches part of the transaction: the last event it sends of the seq has the plain seq.
        try (SseStream filtered = sse("/api/changes?since=" + (s + 1) + "&prefix=e/a")) {
            assertEvent(filtered.nextEvent(), t, "put", "e/a");
        }
    }

    private static void assertEvent(SseStream.Event e, String id, String type, String name) {
        assertThat(String.valueOf(e), e.id(), is(id));
        assertThat(String.valueOf(e), e.event(), is(type));
        assertThat(String.valueOf(e), parse(e.data()).asJsonObject().getString("name"), is(name));
    }

    private SseStream sse(String pathAndQuery, String... headers) {
        try {
            return SseStream.open(http.uri(), pathAndQuery, 0, SSE_TIMEOUT, headers);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // --- concurrency --------------------------------------------------------------------------

    @Test
    void ofRacingTransactionsOnOneConditionExactlyOneWins() throws Exception {
        String lock = put("lock", "0");
        int racers = 8;
        CyclicBarrier start = new CyclicBarrier(racers);
        ExecutorService pool = Executors.newFixedThreadPool(racers);
        try {
            List<Future<Res>> answers = new ArrayList<>();
            for (int i = 0; i < racers; i++) {
                int me = i;
                answers.add(pool.submit(() -> {
                    start.await();
                    return txn("[{\"op\":\"put\",\"name\":\"lock\",\"data\":" + me + ",\"if_match\":"
                            + TestClient.quote(lock) + "},{\"op\":\"put\",\"name\":\"mine" + me + "\",\"data\":1}]");
                }));
            }
            int winner = -1;
            for (int i = 0; i < racers; i++) {
                Res res = answers.get(i).get(60, TimeUnit.SECONDS);
                if (res.status() == 200) {
                    assertThat("one winner", winner, is(-1));
                    winner = i;
                } else {
                    assertThat(assertProblem(res, 412).getInt("index"), is(0));
                }
            }
            assertThat("one winner", winner, not(is(-1)));
            assertThat(data("lock"), is(parse(String.valueOf(winner))));
            for (int i = 0; i < racers; i++) {
                assertStatus(http.get(app("mine" + i)), i == winner ? 200 : 404);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * While transactions write one marker into three apps, readers of single apps, of listings and of the
     * feed never see part of one: a listing shows one marker, an app read after another never shows an
     * older marker than it, and every page of the feed holds whole transactions.
     */
    @Test
    void readersNeverSeePartOfATransaction() throws Exception {
        List<String> names = List.of("t/a", "t/m", "t/z");
        for (String name : names) {
            put(name, "{\"m\":0}");
        }
        long s = store.lastSeq();
        AtomicBoolean done = new AtomicBoolean();
        AtomicInteger listed = new AtomicInteger();
        AtomicInteger got = new AtomicInteger();
        AtomicInteger followed = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            Future<Integer> writer = pool.submit(() -> {
                int m = 1;
                // for a second, and until every reader has read while transactions commit (a loaded machine is slow)
                for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
                        System.nanoTime() < end || listed.get() == 0 || got.get() == 0 || followed.get() == 0;
                        m++) {
                    StringBuilder ops = new StringBuilder("[");
                    for (String name : names) {
                        ops.append(ops.length() > 1 ? "," : "")
                                .append("{\"op\":\"put\",\"name\":\"")
                                .append(name)
                                .append("\",\"data\":{\"m\":")
                                .append(m)
                                .append("}}");
                    }
                    assertStatus(txn(ops.append("]").toString()), 200);
                }
                done.set(true);
                return m - 1;
            });
            Future<Integer> lister = pool.submit(() -> {
                while (!done.get()) {
                    JsonArray items =
                            http.get("/api/apps?prefix=t/&include=data").json().asJsonArray();
                    int first = marker(items.getJsonObject(0).get("data"));
                    for (JsonValue item : items) {
                        assertThat(items.toString(), marker(item.asJsonObject().get("data")), is(first));
                    }
                    listed.incrementAndGet();
                }
                return listed.get();
            });
            Future<Integer> getter = pool.submit(() -> {
                while (!done.get()) {
                    int a = marker(data("t/a"));
                    int z = marker(data("t/z"));
                    int a2 = marker(data("t/a"));
                    assertThat("t/z read after t/a", z, greaterThanOrEqualTo(a));
                    assertThat("t/a read after t/z", a2, greaterThanOrEqualTo(z));
                    got.incrementAndGet();
                }
                return got.get();
            });
            Future<Integer> follower = pool.submit(() -> {
                long since = s;
                while (!done.get() || since < store.lastSeq()) {
                    JsonObject page = assertOk(http.get("/api/changes?limit=1&wait=1&since=" + since));
                    JsonArray results = page.getJsonArray("results");
                    assertThat(page.toString(), results.size() % names.size(), is(0));
                    for (int i = 0; i < results.size(); i++) {
                        assertThat(
                                results.getJsonObject(i).getJsonNumber("seq").longValue(),
                                is(results.getJsonObject(i - i % names.size())
                                        .getJsonNumber("seq")
                                        .longValue()));
                    }
                    since = page.getJsonNumber("last_seq").longValue();
                    followed.incrementAndGet();
                }
                return followed.get();
            });
            int transactions = writer.get(60, TimeUnit.SECONDS);
            assertThat(lister.get(60, TimeUnit.SECONDS), greaterThanOrEqualTo(1));
            assertThat(getter.get(60, TimeUnit.SECONDS), greaterThanOrEqualTo(1));
            assertThat(follower.get(60, TimeUnit.SECONDS), greaterThanOrEqualTo(1));
            assertThat(transactions, greaterThanOrEqualTo(1));
            for (String name : names) {
                assertThat(marker(data(name)), is(transactions));
            }
            assertThat(store.lastSeq(), is(s + transactions));
        } finally {
            done.set(true);
            pool.shutdownNow();
        }
    }

    private static int marker(JsonValue data) {
        return data.asJsonObject().getInt("m");
    }

    @Test
    void theEtagOfAStaleSeqIsNeverReused() {
        long s = seq(put("a", "1"));
        assertStatus(txn("[{\"op\":\"delete\",\"name\":\"a\"},{\"op\":\"put\",\"name\":\"b\",\"data\":1}]"), 200);
        assertThat(put("a", "2"), is(etag(s + 2)));
    }
}
