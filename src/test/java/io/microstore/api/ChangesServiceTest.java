package io.microstore.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.microstore.store.Command;
import io.microstore.store.Precondition;
import io.microstore.store.Store;
import io.microstore.store.feed.FeedConfig;
import io.microstore.testing.Eventually;
import io.microstore.testing.ServerTestBase;
import io.microstore.testing.SseStream;
import io.microstore.testing.Stores;
import io.microstore.testing.TestClient;
import io.microstore.testing.TestClient.Res;
import io.microstore.testing.TestServer;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.microstore.testing.TestClient.assertOk;
import static io.microstore.testing.TestClient.assertProblem;
import static io.microstore.testing.TestClient.assertStatus;
import static io.microstore.testing.TestClient.encode;
import static io.microstore.testing.TestClient.parse;
import static io.microstore.testing.TestClient.seq;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code /api/changes} (poll, long-poll, SSE) and the per-app watch over real HTTP. The class's
 * server keeps a large window and a short keep-alive; tests that need a small window or subscriber cap
 * start a server of their own ({@link #start}). Seqs go on from test to test: each test reads from the
 * seq it starts at. A test that needs a client to be waiting before it writes waits for that fact
 * ({@link #awaitWaiting}), never for a guessed while.
 */
@Timeout(120)
class ChangesServiceTest extends ServerTestBase {
    private static final Duration KEEP_ALIVE = Duration.ofMillis(500);
    private static final int READ_TIMEOUT = 30_000;
    /**
     * How long a waiting client is watched for an answer it must not give: a claim that something does
     * not happen can only be looked at for a while ({@link Eventually#holds}).
     */
    private static final Duration IGNORED = Duration.ofMillis(300);

    @Override
    protected Store openStore() {
        return newStore(new FeedConfig(100_000, 64L << 20, 200, KEEP_ALIVE));
    }

    // --- poll ---------------------------------------------------------------------------------

    @Test
    void pollListsChangesWithSeqNameOpAndEtag() {
        long s = lastSeq();
        String etag1 = put(http, "poll/a", "{\"x\":1}").header("ETag");
        String etag2 = put(http, "poll/quo\"te ü/😀", "[1,\"two\"]").header("ETag");
        assertStatus(http.delete("poll/a"), 204);
        assertThat(etag1, is("\"" + (s + 1) + "\""));
        assertThat(etag2, is("\"" + (s + 2) + "\""));
        Res res = http.get("/api/changes?since=" + s);
        assertThat(res.describe(), res.status(), is(200));
        assertThat(res.header("Content-Type"), is("application/json"));
        assertThat(
                res.text(),
                is("{\"results\":["
                        + "{\"seq\":" + (s + 1) + ",\"name\":\"poll/a\",\"op\":\"put\",\"etag\":\"\\\"" + (s + 1)
                        + "\\\"\"},"
                        + "{\"seq\":" + (s + 2) + ",\"name\":\"poll/quo\\\"te ü/😀\",\"op\":\"put\",\"etag\":\"\\\""
                        + (s + 2) + "\\\"\"},"
                        + "{\"seq\":" + (s + 3) + ",\"name\":\"poll/a\",\"op\":\"delete\",\"etag\":\"\\\"" + (s + 3)
                        + "\\\"\"}"
                        + "],\"last_seq\":" + (s + 3) + "}"));
        // the etag member is the ETag header the write answered with
        assertThat(
                res.json()
                        .asJsonObject()
                        .getJsonArray("results")
                        .getJsonObject(1)
                        .getString("etag"),
                is(etag2));
        assertThat(
                res.json()
                        .asJsonObject()
                        .getJsonArray("results")
                        .getJsonObject(1)
                        .getString("name"),
                is("poll/quo\"te ü/😀"));

        Res withData = http.get("/api/changes?since=" + s + "&include=data");
        assertThat(
                withData.text(),
                is("{\"results\":["
                        + "{\"seq\":" + (s + 1) + ",\"name\":\"poll/a\",\"op\":\"put\",\"etag\":\"\\\"" + (s + 1)
                        + "\\\"\",\"data\":{\"x\":1}},"
                        + "{\"seq\":" + (s + 2) + ",\"name\":\"poll/quo\\\"te ü/😀\",\"op\":\"put\",\"etag\":\"\\\""
                        + (s + 2) + "\\\"\",\"data\":[1,\"two\"]},"
                        + "{\"seq\":" + (s + 3) + ",\"name\":\"poll/a\",\"op\":\"delete\",\"etag\":\"\\\"" + (s + 3)
                        + "\\\"\"}"
                        + "],\"last_seq\":" + (s + 3) + "}"));
    }

    @Test
    void aPollPageLargerThanTheResponseBufferIsStreamedWhole() {
        long s = lastSeq();
        String value = "\"" + "v".repeat(40_000) + "\"";
        StringBuilder expected = new StringBuilder("{\"results\":[");
        for (int i = 1; i <= 3; i++) {
            put(http, "large/" + i, value);
            expected.append(i > 1 ? "," : "")
                    .append("{\"seq\":")
                    .append(s + i)
                    .append(",\"name\":\"large/")
                    .append(i)
                    .append("\",\"op\":\"put\",\"etag\":\"\\\"")
                    .append(s + i)
                    .append("\\\"\",\"data\":")
                    .append(value)
                    .append('}');
        }
        expected.append("],\"last_seq\":").append(s + 3).append('}');
        Res res = http.get("/api/changes?since=" + s + "&include=data&limit=10000");
        assertThat(res.describe(), res.status(), is(200));
        assertThat(res.text(), is(expected.toString()));
        assertThat("streamed, not built whole", res.header("Content-Length"), is(nullValue()));
    }

    @Test
    void pollPagesWithLimitAndPrefix() {
        long s = lastSeq();
        for (int i = 0; i < 5; i++) {
            put(http, "page/" + (i % 2 == 0 ? "even/" : "odd/") + i, String.valueOf(i));
        }
        assertThat(pollSeqs("since=" + s + "&limit=2"), is(List.of(s + 1, s + 2)));
        assertThat(
                assertOk(http.get("/api/changes?since=" + s + "&limit=2"))
                        .getJsonNumber("last_seq")
                        .longValue(),
                is(s + 2));
        JsonObject odd = assertOk(http.get("/api/changes?since=" + s + "&prefix=page/odd/"));
        assertThat(seqs(odd), is(List.of(s + 2, s + 4)));
        assertThat(odd.getJsonNumber("last_seq").longValue(), is(s + 5)); // read past the non-matching last one
        JsonObject evenFirst = assertOk(http.get("/api/changes?since=" + s + "&prefix=page/even/&limit=1"));
        assertThat(seqs(evenFirst), is(List.of(s + 1)));
        assertThat(evenFirst.getJsonNumber("last_seq").longValue(), is(s + 1));
        JsonObject none = assertOk(http.get("/api/changes?since=" + s + "&prefix=page/none/"));
        assertThat(seqs(none), is(List.of()));
        assertThat(none.getJsonNumber("last_seq").longValue(), is(s + 5));
    }

    @Test
    void sinceNowAndNoSinceStartAtTheCurrentSeq() {
        put(http, "now/a", "1");
        long s = lastSeq();
        for (String query : new String[] {"", "?since=now", "?prefix=now/", "?since=now&include=data"}) {
            Res res = http.get("/api/changes" + query);
            assertThat(res.text(), is("{\"results\":[],\"last_seq\":" + s + "}"));
        }
        put(http, "now/b", "2");
        assertThat(pollSeqs("since=" + s), is(List.of(s + 1)));
    }

    @Test
    void sinceOlderThanTheWindowIsGoneWithTheLastSeq() throws Exception {
        try (Other other = start(new FeedConfig(5, 1 << 20, 10, KEEP_ALIVE))) {
            long b = other.store.lastSeq(); // 0 on a fresh local store; etcd's revision when it was opened
            for (int i = 1; i <= 10; i++) {
                put(other.http, "gone/" + i, String.valueOf(i));
            }
            for (long since : new long[] {0, b + 3, b + 4, b + 11, b + 1000}) {
                Res res = other.http.get("/api/changes?since=" + since);
                assertProblem(res, 410);
                assertThat(res.json().asJsonObject().getJsonNumber("last_seq").longValue(), is(b + 10));
                assertProblem(other.http.get("/api/changes?since=" + since + "&wait=5"), 410);
            }
            assertThat(seqs(assertOk(other.http.get("/api/changes?since=" + (b + 5)))), is(range(b + 6, b + 10)));
            assertThat(seqs(assertOk(other.http.get("/api/changes?since=" + (b + 9)))), is(List.of(b + 10)));
            assertThat(seqs(assertOk(other.http.get("/api/changes?since=" + (b + 10)))), is(List.of()));
            assertThat(seqs(assertOk(other.http.get("/api/changes"))), is(List.of()));

            try (SseStream old = sse(other.http, "/api/changes?since=" + (b + 4))) {
                assertThat(old.status(), is(410));
                assertThat(old.header("Content-Type"), is("application/problem+json"));
                assertThat(json(old.readBody()).getJsonNumber("last_seq").longValue(), is(b + 10));
            }
            try (SseStream old =
                    sse(other.http, "/api/changes?since=" + (b + 7), "Last-Event-ID", String.valueOf(b + 2))) {
                assertThat("Last-Event-ID wins over since", old.status(), is(410));
            }
            try (SseStream fine = sse(other.http, "/api/changes?since=0", "Last-Event-ID", String.valueOf(b + 8))) {
                assertThat(fine.status(), is(200));
                assertThat(fine.nextEvent().seq(), is(b + 9));
                assertThat(fine.nextEvent().seq(), is(b + 10));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "since=-1",
                "since=abc",
                "since=",
                "since=1.",
                "since=.5",
                "since=1.x",
                "since=1.2.3",
                "since=0.0",
                "since=1.-1",
                "since=99999999999999999999",
                "limit=0",
                "limit=-3",
                "limit=abc",
                "limit=10001",
                "wait=301",
                "wait=-1",
                "wait=abc",
                "wait=NaN",
                "include=x",
                "include=",
                "include=DATA"
            })
    void badParametersAre400(String query) {
        long s = lastSeq();
        String q = query.startsWith("since=") ? query : query + "&since=" + s;
        assertProblem(http.get("/api/changes?" + q), 400);
        try (SseStream stream = sse(http, "/api/changes?" + q)) {
            assertThat(query, stream.status(), is(400));
        }
    }

    @Test
    void badLastEventIdIs400() {
        for (String id : new String[] {"abc", "-1", "1.", "0.0", "1.0.0"}) {
            try (SseStream stream = sse(http, "/api/changes", "Last-Event-ID", id)) {
                assertThat(id, stream.status(), is(400));
                assertThat(stream.header("Content-Type"), is("application/problem+json"));
            }
        }
    }

    @Test
    void otherMethodsAre405() {
        for (String method : new String[] {"POST", "PUT", "DELETE", "PATCH"}) {
            Res res = http.send(method, "/api/changes", "{}".getBytes(), "Content-Type", "application/json");
            assertProblem(res, 405);
            assertThat(res.header("Allow"), is("GET"));
        }
    }

    // --- long-poll ----------------------------------------------------------------------------

    @Test
    void longPollWakesOnAMatchingWriteAndIgnoresOthers() throws Exception {
        long s = lastSeq();
        // wait=300: a long-poll that is not woken answers only after the test has given up on it
        CompletableFuture<Res> poll = async(() -> http.get("/api/changes?since=" + s + "&prefix=lp/yes/&wait=300"));
        awaitWaiting(1); // the long-poll waits
        put(http, "lp/no/1", "1");
        put(http, "lp/yesno", "1"); // a prefix is a prefix of the name, not of a path segment: no match
        Eventually.holds("not answered before a matching change", IGNORED, () -> !poll.isDone());
        put(http, "lp/yes/1", "{\"v\":1}");
        Res res = poll.get(60, TimeUnit.SECONDS);
        assertThat(res.describe(), res.status(), is(200));
        assertThat(
                res.text(),
                is("{\"results\":[{\"seq\":" + (s + 3) + ",\"name\":\"lp/yes/1\",\"op\":\"put\",\"etag\":\"\\\""
                        + (s + 3) + "\\\"\"}],\"last_seq\":" + (s + 3) + "}"));
    }

    @Test
    void longPollAnswersAtOnceWhenChangesExist() throws Exception {
        long s = lastSeq();
        put(http, "lp2/a", "1");
        put(http, "lp2/b", "2");
        Res res = async(() -> http.get("/api/changes?since=" + s + "&wait=300&limit=1"))
                .get(20, TimeUnit.SECONDS);
        assertThat(seqs(assertOk(res)), is(List.of(s + 1)));
    }

    @Test
    void longPollTimesOutWithNoResultsAndTheSeqItReadTo() throws Exception {
        long s = lastSeq();
        assertThat(
                http.get("/api/changes?since=" + s + "&wait=0.3").text(),
                is("{\"results\":[],\"last_seq\":" + s + "}"));
        // non-matching changes before and during the wait: last_seq moves past them
        put(http, "lp3/other/1", "1");
        // wait=3: long enough for the write below to be committed while it waits, on a loaded machine too
        CompletableFuture<Res> poll = async(() -> http.get("/api/changes?since=" + s + "&prefix=lp3/mine/&wait=3"));
        awaitWaiting(1);
        put(http, "lp3/other/2", "2");
        Res res = poll.get(60, TimeUnit.SECONDS);
        assertThat(res.text(), is("{\"results\":[],\"last_seq\":" + (s + 2) + "}"));
    }

    // --- SSE ----------------------------------------------------------------------------------

    @Test
    void sseStreamsEventsWithIdTypeAndData() throws Exception {
        long s = lastSeq();
        try (SseStream stream = sse(http, "/api/changes?since=" + s + "&include=data")) {
            assertThat(stream.status(), is(200));
            assertThat(stream.header("Content-Type"), is("text/event-stream"));
            assertThat(stream.header("Cache-Control"), is("no-cache"));
            put(http, "sse/a", "{\"k\":[true,null]}");
            http.delete("sse/a");
            assertEvent(stream.nextEvent(), s + 1, "put", "sse/a", "{\"k\":[true,null]}");
            assertEvent(stream.nextEvent(), s + 2, "delete", "sse/a", null);
        }
        try (SseStream stream = sse(http, "/api/changes?since=" + s)) {
            assertEvent(stream.nextEvent(), s + 1, "put", "sse/a", null); // no data without include=data
        }
    }

    @Test
    void sseWithoutSinceStartsNow() throws Exception {
        put(http, "ssenow/before", "1");
        long s = lastSeq();
        try (SseStream stream = sse(http, "/api/changes?prefix=ssenow/")) {
            SseStream.Event hello = stream.next(); // written after the stream took its start
            assertThat(hello.isComment(), is(true));
            put(http, "ssenow/after", "2");
            assertEvent(stream.nextEvent(), s + 1, "put", "ssenow/after", null);
        }
    }

    @Test
    void ssePrefixFiltersEvents() throws Exception {
        long s = lastSeq();
        try (SseStream stream =
                sse(http, "/api/changes?since=" + s + "&prefix=" + encode("sp/a ü/") + "&include=data")) {
            put(http, "sp/a ü/1", "1");
            put(http, "sp/b/1", "2");
            put(http, "sp/a ü", "3");
            put(http, "sp/a ü/2", "4");
            http.delete("sp/a ü/1");
            http.delete("sp/b/1");
            put(http, "sp/a ü/3", "5");
            assertEvent(stream.nextEvent(), s + 1, "put", "sp/a ü/1", "1");
            assertEvent(stream.nextEvent(), s + 4, "put", "sp/a ü/2", "4");
            assertEvent(stream.nextEvent(), s + 5, "delete", "sp/a ü/1", null);
            assertEvent(stream.nextEvent(), s + 7, "put", "sp/a ü/3", "5");
        }
    }

    @Test
    void sseSendsKeepAliveCommentsWhenIdle() throws Exception {
        try (SseStream stream = sse(http, "/api/changes?prefix=ka/idle/")) {
            assertThat(stream.next().isComment(), is(true)); // the greeting
            SseStream.Event e = stream.next();
            assertThat(e.isComment(), is(true));
            assertThat(e.comment(), is("keep-alive"));
            assertThat(stream.next().comment(), is("keep-alive"));
        }
    }

    /**
     * A stream whose prefix matches none of a steady flow of changes is idle for its client: it must
     * still get a keep-alive comment every period (and a client that went away must be noticed, or it
     * holds its subscriber slot for as long as the flow goes on).
     */
    @Test
    void sseSendsKeepAliveCommentsWhileOnlyOtherNamesChange() throws Exception {
        AtomicInteger written = new AtomicInteger();
        ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor();
        writer.scheduleAtFixedRate(
                () -> store.execute(new Command.Put(
                        "ka/busy/" + (written.getAndIncrement() % 10), "1".getBytes(), Precondition.NONE)),
                0,
                20,
                TimeUnit.MILLISECONDS);
        int periods = 60; // generous: a stream that gets its keep-alives gets the first within one period
        try (SseStream stream =
                SseStream.open(http.uri(), "/api/changes?prefix=ka/quiet/", 0, (int) KEEP_ALIVE.toMillis() * periods)) {
            assertThat(stream.next().isComment(), is(true)); // the greeting
            SseStream.Event e;
            try {
                e = stream.next();
            } catch (java.net.SocketTimeoutException timeout) {
                throw new AssertionError(
                        "no keep-alive comment in " + periods + " keep-alive periods while "
                                + "non-matching changes were committed every 20 ms",
                        timeout);
            }
            assertThat(e.comment(), is("keep-alive"));
        } finally {
            writer.shutdownNow();
            assertThat("the writer stopped", writer.awaitTermination(30, TimeUnit.SECONDS), is(true));
        }
    }

    @Test
    void sseReconnectingWithLastEventIdSeesEveryChangeOnce() throws Exception {
        long s = lastSeq();
        String prefix = "resume/";
        AtomicBoolean done = new AtomicBoolean();
        CompletableFuture<Void> writer = async(() -> {
            writeMix(prefix, 400, 7);
            done.set(true);
            return null;
        });
        List<String> seen = new ArrayList<>();
        long lastId = s;
        int connections = 0;
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long end = Long.MAX_VALUE;
        while (lastId < end) {
            // since=0 would replay the whole window: Last-Event-ID must win
            String query = connections == 0
                    ? "/api/changes?since=" + s + "&prefix=" + prefix
                    : "/api/changes?since=0&prefix=" + prefix;
            String[] headers =
                    connections == 0 ? new String[0] : new String[] {"Last-Event-ID", String.valueOf(lastId)};
            connections++;
            try (SseStream stream = sse(http, query, headers)) {
                assertThat(stream.status(), is(200));
                int take = random.nextInt(1, 60);
                for (int i = 0; i < take && lastId < end; ) {
                    SseStream.Event e = stream.next();
                    if (e.isComment()) {
                        if (done.get() && end == Long.MAX_VALUE) {
                            end = lastPrefixSeq(s, prefix);
                        }
                        continue;
                    }
                    seen.add(describe(e));
                    lastId = e.seq();
                    i++;
                }
            } // closed abruptly, in the middle of the stream
            if (done.get() && end == Long.MAX_VALUE) {
                end = lastPrefixSeq(s, prefix);
            }
        }
        writer.get(60, TimeUnit.SECONDS);
        assertThat("connections", connections > 5, is(true));
        assertEquals(expected(s, prefix), seen);
    }

    /**
     * 20 SSE clients and 10 long-poll clients on various prefixes while 4 writers put and delete:
     * each client gets exactly the changes of its prefix, in seq order, each once.
     */
    @Test
    void manyConcurrentClientsEachSeeTheirChangesInOrderOnce() throws Exception {
        long s = lastSeq();
        String[] prefixes = {"", "fan/", "fan/w0/", "fan/w1/", "fan/w2/", "fan/w3/", "fan/w2/k3", "fan/none/"};
        int writers = 4;
        int opsPerWriter = 300;
        Map<String, Long> lastOf = new ConcurrentHashMap<>(); // prefix -> last seq to expect, once known
        AtomicLong end = new AtomicLong(Long.MAX_VALUE);
        List<Client> clients = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 20; i++) {
                String prefix = prefixes[i % prefixes.length];
                SseStream stream = sse(http, "/api/changes?since=" + s + "&prefix=" + prefix);
                assertThat(stream.status(), is(200));
                Client client = new Client("sse " + i + " '" + prefix + "'", prefix, new ArrayList<>(), null);
                clients.add(client.with(threads.submit(() -> {
                    try (stream) {
                        while (client.seen.isEmpty()
                                || lastSeq(client.seen) < lastOf.getOrDefault(prefix, Long.MAX_VALUE)) {
                            if (lastOf.containsKey(prefix) && lastOf.get(prefix) == s) {
                                break; // nothing to expect
                            }
                            SseStream.Event e = stream.next();
                            if (!e.isComment()) {
                                client.seen.add(describe(e));
                            }
                        }
                    }
                    return null;
                })));
            }
            for (int i = 0; i < 10; i++) {
                String prefix = prefixes[(i + 3) % prefixes.length];
                Client client = new Client("long-poll " + i + " '" + prefix + "'", prefix, new ArrayList<>(), null);
                clients.add(client.with(threads.submit(() -> {
                    long cursor = s;
                    while (cursor < end.get()) {
                        Res res = http.get("/api/changes?since=" + cursor + "&prefix=" + prefix + "&wait=1&limit=37");
                        JsonObject page = assertOk(res);
                        for (JsonValue v : page.getJsonArray("results")) {
                            client.seen.add(describe(v.asJsonObject()));
                        }
                        cursor = page.getJsonNumber("last_seq").longValue();
                    }
                    return null;
                })));
            }
            List<Future<?>> writing = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                String prefix = "fan/w" + w + "/";
                writing.add(threads.submit(() -> writeMix(prefix, opsPerWriter, 5)));
            }
            for (Future<?> f : writing) {
                f.get(90, TimeUnit.SECONDS);
            }
            long last = store.lastSeq();
            List<String> all = expected(s, "");
            assertThat(all.size(), is(writers * opsPerWriter));
            for (String prefix : prefixes) {
                List<String> mine = expected(s, prefix);
                lastOf.put(prefix, mine.isEmpty() ? s : lastSeq(mine));
            }
            end.set(last);
            for (Client c : clients) {
                try {
                    c.done.get(60, TimeUnit.SECONDS);
                } catch (TimeoutException e) {
                    fail(c.name + " did not get its changes in time; it saw " + c.seen.size() + " of "
                            + expected(s, c.prefix).size());
                }
            }
        }
        for (Client c : clients) {
            assertEquals(expected(s, c.prefix), c.seen, c.name);
        }
    }

    private record Client(String name, String prefix, List<String> seen, Future<?> done) {
        Client with(Future<?> future) {
            return new Client(name, prefix, seen, future);
        }
    }

    /**
     * Every event carries an id that resumes right after it, also inside a transaction: an EventSource
     * that kept the id of a transaction's first or second event (not an empty one) and reconnects with it
     * gets exactly the rest of the transaction, then what followed; {@code since} takes the same ids. The
     * stream starts with {@code retry:}.
     */
    @Test
    void everyEventOfATransactionHasAnIdThatResumesRightAfterIt() throws Exception {
        long s = lastSeq();
        long t;
        long after;
        try (SseStream stream = sse(http, "/api/changes?since=" + s)) {
            assertThat("the greeting", stream.next().isComment(), is(true));
            assertThat("retry: before the greeting", stream.retry(), notNullValue());
            int retry = Integer.parseInt(stream.retry());
            assertThat("retry: " + retry, retry >= 1000 && retry < 2000, is(true));
            t = txn("[{\"op\":\"put\",\"name\":\"tx/a\",\"data\":1},{\"op\":\"put\",\"name\":\"tx/b\",\"data\":2},"
                    + "{\"op\":\"delete\",\"name\":\"tx/none\"},{\"op\":\"put\",\"name\":\"tx/c\",\"data\":3}]");
            after = seq(put(http, "tx/d", "4").header("ETag"));
            assertThat(
                    List.of(
                            idAndName(stream.nextEvent()),
                            idAndName(stream.nextEvent()),
                            idAndName(stream.nextEvent())),
                    is(List.of(t + ".0 tx/a", t + ".1 tx/b", t + " tx/c")));
            assertThat(idAndName(stream.nextEvent()), is(after + " tx/d"));
        }
        String d = after + " tx/d";
        List<List<String>> rests = List.of(List.of(t + ".1 tx/b", t + " tx/c", d), List.of(t + " tx/c", d), List.of(d));
        List<String> ids = List.of(t + ".0", t + ".1", String.valueOf(t));
        for (int i = 0; i < ids.size(); i++) {
            List<String> rest = rests.get(i);
            // since=0 in the URL: Last-Event-ID wins, as for an EventSource that reconnects
            try (SseStream resumed = sse(http, "/api/changes?since=0&prefix=tx/", "Last-Event-ID", ids.get(i))) {
                assertThat(ids.get(i), resumed.status(), is(200));
                List<String> got = new ArrayList<>();
                while (got.size() < rest.size()) {
                    got.add(idAndName(resumed.nextEvent()));
                }
                assertThat("resumed after " + ids.get(i), got, is(rest));
            }
            try (SseStream since = sse(http, "/api/changes?prefix=tx/&since=" + ids.get(i))) {
                assertThat("since=" + ids.get(i), idAndName(since.nextEvent()), is(rest.getFirst()));
            }
            JsonObject page = assertOk(http.get("/api/changes?prefix=tx/&since=" + ids.get(i)));
            assertThat(
                    "poll since=" + ids.get(i),
                    page.getJsonArray("results").stream()
                            .map(v -> v.asJsonObject().getString("name"))
                            .toList(),
                    is(rest.stream().map(r -> r.substring(r.indexOf(' ') + 1)).toList()));
            assertThat(page.getJsonNumber("last_seq").longValue(), is(after));
        }
    }

    /**
     * Under a prefix, a transaction's events are numbered by their place in the whole commit, and the
     * last one the client gets has the plain seq: a client that resumes from either, with or without
     * the prefix, gets what follows it in the commit.
     */
    @Test
    void aPrefixedStreamNumbersATransactionsEventsByTheirPlaceInTheWholeCommit() throws Exception {
        long s = lastSeq();
        long t = txn(
                "[{\"op\":\"put\",\"name\":\"pt/other/1\",\"data\":1},{\"op\":\"put\",\"name\":\"pt/mine/1\",\"data\":2},"
                        + "{\"op\":\"put\",\"name\":\"pt/other/2\",\"data\":3},{\"op\":\"put\",\"name\":\"pt/mine/2\",\"data\":4},"
                        + "{\"op\":\"put\",\"name\":\"pt/other/3\",\"data\":5}]");
        try (SseStream mine = sse(http, "/api/changes?prefix=pt/mine/&since=" + s)) {
            assertThat(idAndName(mine.nextEvent()), is(t + ".1 pt/mine/1"));
            assertThat(idAndName(mine.nextEvent()), is(t + " pt/mine/2"));
        }
        try (SseStream all = sse(http, "/api/changes?prefix=pt/", "Last-Event-ID", t + ".1")) {
            assertThat(idAndName(all.nextEvent()), is(t + ".2 pt/other/2"));
            assertThat(idAndName(all.nextEvent()), is(t + ".3 pt/mine/2"));
            assertThat(idAndName(all.nextEvent()), is(t + " pt/other/3"));
        }
    }

    /**
     * When the server stops (its feed closes), a stream gets a last event, {@code shutdown}, with the id it
     * had reached, and then its proper end (the terminating chunk: no reset connection), and a waiting
     * long-poll is answered with what it has; the stop waits for both.
     */
    @Test
    void aStoppingServerEndsStreamsWithAShutdownEventAndAnswersLongPolls() throws Exception {
        try (Other other = start(new FeedConfig(1000, 1 << 20, 10, Duration.ofSeconds(30)))) {
            long written = seq(put(other.http, "stop/a", "1").header("ETag"));
            try (SseStream stream = sse(other.http, "/api/changes?since=" + (written - 1))) {
                assertThat(stream.nextEvent().seq(), is(written));
                CompletableFuture<Res> poll = async(() -> other.http.get("/api/changes?wait=60"));
                awaitWaiting(other.store, 2); // the stream and the long-poll
                assertThat(
                        "both were answered in time",
                        other.store.feed().closeAndDrain(Duration.ofSeconds(30)),
                        is(true));
                SseStream.Event last = stream.next();
                assertThat(last, notNullValue());
                assertThat(last.event(), is("shutdown"));
                assertThat(last.id(), is(String.valueOf(written)));
                JsonObject data = json(last.data());
                assertThat(data.getString("detail").isBlank(), is(false));
                assertThat(data.getJsonNumber("last_seq").longValue(), is(written));
                assertThat("the stream ends properly after it", stream.next(), is((SseStream.Event) null));
                Res res = poll.get(30, TimeUnit.SECONDS);
                assertThat(res.describe(), res.status(), is(200));
                assertThat(res.text(), is("{\"results\":[],\"last_seq\":" + written + "}"));
            }
            try (SseStream late = sse(other.http, "/api/changes")) {
                assertThat("a stream asked for after the stop", late.status(), is(503));
                assertThat(late.header("Retry-After"), notNullValue());
            }
        }
    }

    /**
     * A client that stops reading while many large changes commit falls out of a small window: once
     * it drains, its events so far are complete and in order, then {@code event: reset} and the end of
     * the stream. A client reading along on the same server sees every change, and the writer is
     * never held up by the stalled one.
     */
    @Test
    void aSlowSseClientIsResetWhileAFastOneKeepsUp() throws Exception {
        int retain = 200;
        // the same 16 MB past the stalled client's socket buffers; on etcd in fewer, larger writes (a write
        // there is a Raft round with fsyncs: 4000 of them would take minutes on a small machine)
        int writes = Stores.etcdEngine() ? 1000 : 4000;
        byte[] value = ("\"" + "v".repeat(Stores.etcdEngine() ? 16_000 : 4000) + "\"").getBytes(StandardCharsets.UTF_8);
        try (Other other = start(new FeedConfig(retain, 64L << 20, 10, Duration.ofSeconds(30)));
                SseStream slow = SseStream.open(
                        other.http.uri(),
                        "/api/changes?since=" + other.store.lastSeq() + "&include=data",
                        4096,
                        READ_TIMEOUT);
                SseStream fast = sse(other.http, "/api/changes?since=" + other.store.lastSeq() + "&include=data")) {
            long b = other.store.lastSeq(); // 0 on a fresh local store; etcd's revision when it was opened
            assertThat(slow.status(), is(200));
            assertThat(slow.next().isComment(), is(true)); // subscribed; from now on it reads nothing
            AtomicLong fastSeen = new AtomicLong(b);
            CompletableFuture<List<Long>> fastRead = async(() -> {
                List<Long> ids = new ArrayList<>();
                while (ids.size() < writes) {
                    SseStream.Event e = fast.nextEvent();
                    assertThat(e.event(), is("put"));
                    ids.add(e.seq());
                    fastSeen.set(e.seq());
                }
                return ids;
            });
            for (int i = 1; i <= writes; i++) {
                long next = b + i;
                // keep the fast client well inside the window
                Eventually.await(
                        "the fast client keeps up with seq " + next,
                        Eventually.TIMEOUT,
                        fastSeen::get,
                        seen -> next - seen <= retain / 2);
                other.store.execute(new Command.Put("slow/" + (i % 10), value, Precondition.NONE));
            }
            assertThat(fastRead.get(60, TimeUnit.SECONDS), is(range(b + 1, b + writes)));

            long expectId = b + 1;
            SseStream.Event e;
            while ((e = slow.next()) != null && !e.isComment() && !"reset".equals(e.event())) {
                assertThat(e.seq(), is(expectId));
                assertThat(
                        e.data(),
                        is("{\"seq\":" + expectId + ",\"name\":\"slow/" + ((expectId - b) % 10)
                                + "\",\"op\":\"put\",\"etag\":\"\\\"" + expectId + "\\\"\",\"data\":"
                                + new String(value) + "}"));
                expectId++;
            }
            assertThat(
                    "the slow client ended without a reset after " + (expectId - 1 - b) + " events", e, notNullValue());
            assertThat(e.event(), is("reset"));
            assertThat(expectId - 1 - b, lessThan((long) writes - retain));
            JsonObject reset = json(e.data());
            assertThat(reset.getString("detail").isBlank(), is(false));
            assertThat(reset.getJsonNumber("last_seq").longValue(), is(b + writes));
            assertThat("the stream ends after the reset", slow.next(), is((SseStream.Event) null));
        }
    }

    // --- subscriber cap -----------------------------------------------------------------------

    @Test
    void subscribersBeyondTheCapGet503WithRetryAfterUntilOneLeaves() throws Exception {
        try (Other other = start(new FeedConfig(1000, 1 << 20, 2, Duration.ofMillis(200)))) {
            String etag = put(other.http, "cap/x", "1").header("ETag");
            SseStream first = sse(other.http, "/api/changes");
            try (SseStream second = sse(other.http, "/api/changes?prefix=cap/")) {
                assertThat(first.next().isComment(), is(true));
                assertThat(second.next().isComment(), is(true));
                try (SseStream third = sse(other.http, "/api/changes")) {
                    assertThat(third.status(), is(503));
                    assertThat(third.header("Retry-After"), notNullValue());
                    assertThat(third.header("Content-Type"), is("application/problem+json"));
                    assertThat(json(third.readBody()).getInt("status"), is(503));
                }
                Res poll = other.http.get("/api/changes?wait=5");
                assertProblem(poll, 503);
                assertThat(Integer.parseInt(poll.header("Retry-After")), greaterThanOrEqualTo(1));
                assertProblem(other.http.get("/api/apps/cap/x?wait=5", "If-None-Match", etag), 503);
                // clients that do not wait are not subscribers
                assertThat(other.http.get("/api/changes").status(), is(200));
                assertThat(
                        other.http
                                .get("/api/changes?since=" + (seq(etag) - 1) + "&wait=5")
                                .status(),
                        is(200)); // at once
                assertThat(
                        other.http.get("/api/apps/cap/x", "If-None-Match", etag).status(), is(304));

                first.close(); // the server notices when it next writes to it (a keep-alive at the latest)
                awaitWaiting(other.store, 1); // the closed stream's slot is free
                try (SseStream again = sse(other.http, "/api/changes")) {
                    assertThat(again.status(), is(200));
                }
            } finally {
                first.close();
            }
        }
    }

    // --- per-app watch ------------------------------------------------------------------------

    @Test
    void watchWakesWhenTheAppChanges() throws Exception {
        String etag = put(http, "watch/a", "1").header("ETag");
        // wait=300: a watch that is not woken answers only after the test has given up on it
        CompletableFuture<Res> watch = async(() -> http.get("/api/apps/watch/a?wait=300", "If-None-Match", etag));
        awaitWaiting(1); // the watch waits
        put(http, "watch/other", "1");
        Eventually.holds("not answered before the app changed", IGNORED, () -> !watch.isDone());
        String newEtag = put(http, "watch/a", "{\"v\":2}").header("ETag");
        Res res = watch.get(60, TimeUnit.SECONDS);
        assertThat(res.describe(), res.status(), is(200));
        assertThat(res.header("ETag"), is(newEtag));
        assertThat(res.text(), is("{\"name\":\"watch/a\",\"data\":{\"v\":2}}"));
    }

    @Test
    void watchWakesWhenTheAppIsDeleted() throws Exception {
        String etag = put(http, "watch/b", "1").header("ETag");
        // wait=300: a watch that is not woken answers only after the test has given up on it
        CompletableFuture<Res> watch = async(() -> http.get("/api/apps/watch/b?wait=300", "If-None-Match", etag));
        awaitWaiting(1); // the watch waits: the delete must wake it, not be found by a watch that came after it
        assertStatus(http.delete("watch/b"), 204);
        assertProblem(watch.get(60, TimeUnit.SECONDS), 404);
    }

    @Test
    void watchTimesOutWith304() {
        String etag = put(http, "watch/c", "1").header("ETag");
        put(http, "watch/c2", "1");
        Res res = http.get("/api/apps/watch/c?wait=0.5", "If-None-Match", etag);
        assertThat(res.describe(), res.status(), is(304));
        assertThat(res.header("ETag"), is(etag));
    }

    @Test
    void watchAnswersAtOnceWhenTheEtagDiffersOrIsMissing() throws Exception {
        String etag = put(http, "watch/d", "1").header("ETag");
        String current = put(http, "watch/d", "2").header("ETag");
        Res stale = async(() -> http.get("/api/apps/watch/d?wait=300", "If-None-Match", etag))
                .get(20, TimeUnit.SECONDS);
        assertThat(stale.describe(), stale.status(), is(200));
        assertThat(stale.header("ETag"), is(current));
        assertThat(stale.text(), is("{\"name\":\"watch/d\",\"data\":2}"));
        Res plain = async(() -> http.get("/api/apps/watch/d?wait=300")).get(20, TimeUnit.SECONDS);
        assertThat(plain.describe(), plain.status(), is(200));
        assertProblem(
                async(() -> http.get("/api/apps/watch/none?wait=300", "If-None-Match", etag))
                        .get(20, TimeUnit.SECONDS),
                404);
    }

    // --- helpers: writing ---------------------------------------------------------------------

    /**
     * {@code ops} changes under {@code prefix} over HTTP, one at a time: puts to {@code keys} names and,
     * every fifth operation, a delete of a name that exists (so that every operation is a change).
     */
    private void writeMix(String prefix, int ops, int keys) {
        Set<String> existing = new HashSet<>();
        for (int i = 0; i < ops; i++) {
            String name = prefix + "k" + (i % keys);
            if (i % 5 == 4 && existing.remove(name)) {
                assertStatus(http.delete(name), 204);
            } else {
                assertStatus(put(http, name, "{\"i\":" + i + "}"), 204);
                existing.add(name);
            }
        }
    }

    // --- helpers: reading the feed ------------------------------------------------------------

    /** Every change after {@code since} with {@code prefix}, as "seq op name", by polling page by page. */
    private List<String> expected(long since, String prefix) {
        List<String> all = new ArrayList<>();
        long cursor = since;
        long end = store.lastSeq();
        while (cursor < end) {
            JsonObject page =
                    assertOk(http.get("/api/changes?since=" + cursor + "&limit=10000&prefix=" + encode(prefix)));
            page.getJsonArray("results").forEach(v -> all.add(describe(v.asJsonObject())));
            cursor = page.getJsonNumber("last_seq").longValue();
        }
        if (prefix.isEmpty() && !all.isEmpty()) { // the full list: gap-free, each seq one change or more
            assertThat(all.getFirst(), org.hamcrest.Matchers.startsWith((since + 1) + " "));
            for (int i = 1; i < all.size(); i++) {
                long step = seqOf(all.get(i)) - seqOf(all.get(i - 1));
                assertThat(all.get(i - 1) + " then " + all.get(i), step == 0 || step == 1, is(true));
            }
        }
        return all;
    }

    private long lastPrefixSeq(long since, String prefix) {
        List<String> mine = expected(since, prefix);
        return mine.isEmpty() ? since : lastSeq(mine);
    }

    private static long lastSeq(List<String> described) {
        return seqOf(described.getLast());
    }

    private static long seqOf(String described) {
        return Long.parseLong(described.substring(0, described.indexOf(' ')));
    }

    private static String describe(JsonObject change) {
        long seq = change.getJsonNumber("seq").longValue();
        assertThat(change.getString("etag"), is("\"" + seq + "\""));
        return seq + " " + change.getString("op") + " " + change.getString("name");
    }

    private static String describe(SseStream.Event e) {
        JsonObject change = json(e.data());
        // a seq of several changes (a transaction's; in cluster mode also concurrent PUTs') numbers them "seq.i"
        String seq = String.valueOf(change.getJsonNumber("seq").longValue());
        assertThat(e.id(), e.id().equals(seq) || e.id().startsWith(seq + "."), is(true));
        assertThat(e.event(), is(change.getString("op")));
        return describe(change);
    }

    /** "id name" of a change's event, after checking that its event type is its op. */
    private static String idAndName(SseStream.Event e) {
        assertThat(e, notNullValue());
        JsonObject change = json(e.data());
        assertThat(e.event(), is(change.getString("op")));
        return e.id() + " " + change.getString("name");
    }

    /** Commits a transaction (a JSON array of operations); its seq. */
    private long txn(String operations) {
        Res res = http.send("POST", "/api/txn", operations, "Content-Type", TestClient.JSON);
        assertStatus(res, 200);
        return res.json().asJsonObject().getJsonNumber("seq").longValue();
    }

    private static void assertEvent(SseStream.Event e, long seq, String op, String name, String data) {
        assertThat(e, notNullValue());
        assertThat(e.id(), is(String.valueOf(seq)));
        assertThat(e.event(), is(op));
        JsonObject change = json(e.data());
        assertThat(change.getJsonNumber("seq").longValue(), is(seq));
        assertThat(change.getString("name"), is(name));
        assertThat(change.getString("op"), is(op));
        assertThat(change.getString("etag"), is("\"" + seq + "\""));
        assertThat(change.containsKey("data") ? change.get("data").toString() : null, is(data));
    }

    /**
     * The seq this test's changes follow: the seq of a write of its own. Engine-neutral: on etcd every
     * store of the cluster (other tests' stores too) takes revisions, so a store's last seq may be behind
     * the seq its next write gets; after a write of its own, the next write is the next seq.
     */
    private long lastSeq() {
        return seq(put(http, "seq-mark", "0").header("ETag"));
    }

    private List<Long> pollSeqs(String query) {
        return seqs(assertOk(http.get("/api/changes?" + query)));
    }

    private static List<Long> seqs(JsonObject page) {
        return page.getJsonArray("results").stream()
                .map(v -> v.asJsonObject().getJsonNumber("seq").longValue())
                .toList();
    }

    private static List<Long> range(long from, long to) {
        return java.util.stream.LongStream.rangeClosed(from, to).boxed().toList();
    }

    // --- helpers: HTTP ------------------------------------------------------------------------

    /** A server of its own for a test that needs other feed settings; closed with its store. */
    private record Other(TestServer server, Store store, TestClient http) implements AutoCloseable {
        @Override
        public void close() {
            server.close();
            store.close();
        }
    }

    private static Other start(FeedConfig feed) {
        Store s = newStore(feed);
        TestServer server = TestServer.start(s);
        return new Other(server, s, server.http());
    }

    private static SseStream sse(TestClient client, String pathAndQuery, String... headers) {
        try {
            return SseStream.open(client.uri(), pathAndQuery, 0, READ_TIMEOUT, headers);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** PUT of {@code {"data": <json>}}, which must succeed. */
    private static Res put(TestClient client, String name, String json) {
        Res res = client.put(name, "{\"data\":" + json + "}");
        assertStatus(res, 204);
        return res;
    }

    private static JsonObject json(String text) {
        return parse(text).asJsonObject();
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
