package io.microstore.it;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;

import io.microstore.commit.Change;
import io.microstore.commit.Commit;
import io.microstore.commit.CommitStream;
import io.microstore.persist.JournalPersistence;
import io.microstore.testing.Eventually;
import io.microstore.testing.SseStream;
import io.microstore.testing.Stores;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The changes feed of the real jar across restarts: rebuilt from the journal tail after SIGTERM,
 * starting at the snapshot after a compaction, and after kill -9 holding exactly what the journal holds.
 */
@Timeout(180)
class ChangesIT {
    /** C1 only: the child JVMs start markedly faster on a busy machine. */
    private static final List<String> JVM = List.of("-Xmx256m", "-XX:TieredStopAtLevel=1");

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    /**
     * Write, SIGTERM, restart: the feed since 0 is the same; new writes continue the sequence. Then
     * compact, write a little more and restart: the window starts at the snapshot's seq.
     */
    @Test
    void theFeedIsRebuiltFromTheJournalTailAfterRestarts(@TempDir Path dir) throws Exception {
        String before;
        try (ChildServer server = ChildServer.start(JVM, "--data", dir.toString())) {
            String base = server.baseUrl();
            assertEquals(204, put(base, "r/a", "{\"v\":1}").statusCode());
            assertEquals(204, put(base, "r/b ü 😀", "[1,2]").statusCode());
            assertEquals(204, delete(base, "r/a").statusCode());
            assertEquals(204, delete(base, "r/a").statusCode()); // no change: no seq
            assertEquals(204, put(base, "r/a", "\"again\"").statusCode());
            assertEquals(204, put(base, "r/c", "null").statusCode());
            before = awaitChanges(base, 5, "&include=data", 0);
            assertEquals(
                    List.of("1 put r/a", "2 put r/b ü 😀", "3 delete r/a", "4 put r/a", "5 put r/c"), describe(before));
            assertEquals(0, server.terminate(), server.output());
        }
        try (ChildServer server = ChildServer.start(JVM, "--data", dir.toString())) {
            String base = server.baseUrl();
            assertEquals(before, get(base, "/api/changes?since=0&include=data").body(), "same changes, same seqs");
            assertEquals(
                    "{\"results\":[],\"last_seq\":5}", get(base, "/api/changes").body());
            assertEquals(
                    List.of("3 delete r/a", "4 put r/a", "5 put r/c"),
                    describe(get(base, "/api/changes?since=2").body()));
            assertEquals(
                    "\"6\"", put(base, "r/d", "4").headers().firstValue("ETag").orElseThrow());
            assertEquals(List.of("6 put r/d"), describe(awaitChanges(base, 6, "", 5)));
            try (SseStream stream = SseStream.open(URI.create(base), "/api/changes?since=3", 0, 30_000)) {
                assertEquals(4, stream.nextEvent().seq());
                assertEquals(5, stream.nextEvent().seq());
                assertEquals(6, stream.nextEvent().seq());
            }
            HttpResponse<String> compacted = http.send(
                    HttpRequest.newBuilder(URI.create(base + "/api/admin/compact"))
                            .POST(HttpRequest.BodyPublishers.noBody())
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, compacted.statusCode(), compacted.body());
            assertEquals(6, json(compacted.body()).getJsonNumber("seq").longValue(), compacted.body());
            put(base, "r/x", "7");
            delete(base, "r/c");
            put(base, "r/y", "9");
            // everything acknowledged is durable (fsync always): kill -9 loses nothing here
        }
        try (ChildServer server = ChildServer.start(JVM, "--data", dir.toString())) {
            String base = server.baseUrl();
            for (long since : new long[] {0, 3, 5}) {
                HttpResponse<String> gone = get(base, "/api/changes?since=" + since);
                assertEquals(410, gone.statusCode(), "since=" + since + ": " + gone.body());
                assertEquals(
                        "application/problem+json",
                        gone.headers().firstValue("Content-Type").orElse(""));
                assertEquals(9, json(gone.body()).getJsonNumber("last_seq").longValue());
            }
            assertEquals(
                    List.of("7 put r/x", "8 delete r/c", "9 put r/y"),
                    describe(get(base, "/api/changes?since=6").body()));
        }
    }

    /**
     * Writers that each own their names put and delete (every operation a change) until kill -9. After
     * the restart the feed holds exactly the journal's records, in order and gap-free, among them
     * every acknowledged write with the seq its ETag gave, and per writer nothing beyond the one
     * write that was in flight.
     */
    @Test
    void afterKill9TheFeedHoldsExactlyTheJournalsChanges(@TempDir Path dir) throws Exception {
        int writers = 4;
        List<List<Attempt>> attempts = new ArrayList<>();
        AtomicInteger firstAcks = new AtomicInteger();
        AtomicInteger acks = new AtomicInteger();
        try (ChildServer server = ChildServer.start(JVM, "--data", dir.toString())) {
            String base = server.baseUrl();
            List<CompletableFuture<Void>> running = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                List<Attempt> mine = new ArrayList<>();
                attempts.add(mine);
                String prefix = "k9/w" + w + "/";
                running.add(CompletableFuture.runAsync(
                        () -> writeUntilGone(base, prefix, mine, firstAcks, acks),
                        r -> Thread.ofVirtual().start(r)));
            }
            // Every writer has had a write acknowledged, and more writes were, so the kill finds them at work.
            Eventually.await("a write of every writer acknowledged", () -> firstAcks.get() >= writers);
            int soFar = acks.get();
            Eventually.await("50 more writes acknowledged", () -> acks.get() >= soFar + 50);
            server.kill9();
            CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        }
        List<Commit> journal = readJournal(dir);
        assertEquals(
                LongStream.rangeClosed(1, journal.size()).boxed().toList(),
                journal.stream().map(Commit::seq).toList(),
                "the journal's seqs are 1..n");
        for (int w = 0; w < writers; w++) {
            String prefix = "k9/w" + w + "/";
            List<Commit> mine = journal.stream()
                    .filter(m -> m.only().name().startsWith(prefix))
                    .toList();
            List<Attempt> tried = attempts.get(w);
            long acked = tried.stream().filter(a -> a.acked).count();
            assertTrue(acked > 0, "writer " + w + " got no write acknowledged");
            assertTrue(
                    mine.size() >= acked && mine.size() <= tried.size() && mine.size() <= acked + 1,
                    "writer " + w + ": " + acked + " acknowledged of " + tried.size() + " tried, " + mine.size()
                            + " in the journal");
            for (int i = 0; i < mine.size(); i++) {
                Attempt a = tried.get(i);
                Commit m = mine.get(i);
                assertEquals(a.describe(), describe(m), "writer " + w + " op " + i);
                if (a.acked && a.seq > 0) {
                    assertEquals(a.seq, m.seq(), "the ETag of " + a.describe());
                }
            }
        }
        try (ChildServer server = ChildServer.start(JVM, "--data", dir.toString())) {
            String base = server.baseUrl();
            List<String> feed = new ArrayList<>();
            long cursor = 0;
            while (cursor < journal.size()) {
                JsonObject page = json(get(base, "/api/changes?include=data&limit=1000&since=" + cursor)
                        .body());
                for (JsonValue v : page.getJsonArray("results")) {
                    JsonObject c = v.asJsonObject();
                    feed.add(c.getJsonNumber("seq") + " " + c.getString("op") + " " + c.getString("name")
                            + (c.containsKey("data") ? " " + c.get("data") : ""));
                }
                long next = page.getJsonNumber("last_seq").longValue();
                assertTrue(next > cursor, "no progress at " + cursor);
                cursor = next;
            }
            assertEquals(journal.stream().map(m -> m.seq() + " " + describe(m)).toList(), feed);
            assertEquals(
                    "{\"results\":[],\"last_seq\":" + journal.size() + "}",
                    get(base, "/api/changes").body());
            assertEquals(
                    "\"" + (journal.size() + 1) + "\"",
                    put(base, "k9/after", "1").headers().firstValue("ETag").orElseThrow());
        }
    }

    /**
     * SIGTERM while clients wait on the feed: the server still exits 0 soon; an SSE stream gets a last
     * event, {@code shutdown}, with the id it had reached, and then its proper end (the terminating chunk,
     * not a closed or reset connection); a long-poll is answered with what it has (no changes, the current
     * seq); a watch with 304, or told the service is unavailable; never a 500 or a dropped request.
     */
    @Test
    void sigtermEndsWaitingClientsWithoutErrors(@TempDir Path dir) throws Exception {
        try (ChildServer server = ChildServer.start(JVM, "--data", dir.toString())) {
            String base = server.baseUrl();
            String etag = put(base, "t/a", "1").headers().firstValue("ETag").orElseThrow();
            long seq = Long.parseLong(etag.replace("\"", ""));
            SseStream stream = SseStream.open(URI.create(base), "/api/changes?since=0", 0, 60_000);
            assertTrue(stream.next().isComment());
            assertEquals(String.valueOf(seq), stream.nextEvent().id());
            CompletableFuture<HttpResponse<String>> longPoll = http.sendAsync(
                    HttpRequest.newBuilder(URI.create(base + "/api/changes?since=" + seq + "&wait=60"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            CompletableFuture<HttpResponse<String>> watch = http.sendAsync(
                    HttpRequest.newBuilder(URI.create(base + "/api/apps/t/a?wait=60"))
                            .header("If-None-Match", etag)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            Eventually.await("the stream, the long-poll and the watch wait on the feed", () -> subscribers(base) == 3);
            assertFalse(longPoll.isDone() || watch.isDone());
            assertEquals(0, server.terminate(), server.output());
            try (stream) {
                SseStream.Event last = stream.nextEvent();
                assertTrue(last != null && "shutdown".equals(last.event()), "the last event: " + last);
                assertEquals(String.valueOf(seq), last.id(), "the shutdown event's id: where the stream got to");
                assertEquals(null, stream.next(), "the stream ends after the shutdown event");
            }
            HttpResponse<String> polled = answer(longPoll, "the long-poll");
            assertEquals(200, polled.statusCode(), polled.body());
            assertEquals("{\"results\":[],\"last_seq\":" + seq + "}", polled.body());
            HttpResponse<String> watched = answer(watch, "the watch");
            assertTrue(
                    watched.statusCode() == 304 || watched.statusCode() == 503,
                    "watch at shutdown: HTTP " + watched.statusCode() + " " + watched.body());
        }
    }

    private static HttpResponse<String> answer(CompletableFuture<HttpResponse<String>> request, String what)
            throws Exception {
        try {
            return request.get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            // HttpClient retries a GET whose connection closed without an answer: then it cannot connect
            return fail(
                    what + " got no answer at shutdown (the connection closed without a response): " + e.getCause());
        }
    }

    /** One write of a writer: what it did and whether it was acknowledged (with the put's ETag seq). */
    private record Attempt(String op, String name, String data, boolean acked, long seq) {
        String describe() {
            return op + " " + name + (data == null ? "" : " " + data);
        }
    }

    /**
     * Puts and deletes under {@code prefix} until the server is gone; counts {@code firstAcks} once, at its
     * first 204, and {@code acks} at every 204.
     */
    private void writeUntilGone(
            String base, String prefix, List<Attempt> attempts, AtomicInteger firstAcks, AtomicInteger acks) {
        Set<String> existing = new HashSet<>();
        for (int i = 0; ; i++) {
            String name = prefix + (i % 6 == 0 ? "é " : "k") + (i % 5);
            boolean delete = i % 4 == 3 && existing.contains(name);
            String data = delete ? null : "{\"i\":" + i + ",\"w\":\"" + "x".repeat(i % 50) + "\"}";
            try {
                HttpResponse<String> res = delete ? delete(base, name) : put(base, name, data);
                if (res.statusCode() != 204) {
                    attempts.add(new Attempt(delete ? "delete" : "put", name, data, false, 0));
                    fail("HTTP " + res.statusCode() + " " + res.body());
                }
                long seq = res.headers()
                        .firstValue("ETag")
                        .map(e -> Long.parseLong(e.replace("\"", "")))
                        .orElse(0L);
                attempts.add(new Attempt(delete ? "delete" : "put", name, data, true, seq));
                acks.incrementAndGet();
                if (i == 0) {
                    firstAcks.incrementAndGet();
                }
                if (delete) {
                    existing.remove(name);
                } else {
                    existing.add(name);
                }
            } catch (IOException e) {
                attempts.add(new Attempt(delete ? "delete" : "put", name, data, false, 0));
                return; // the server is gone
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Every change the journal replays after its snapshot (there is none here), read in this JVM. */
    private static List<Commit> readJournal(Path dir) throws IOException {
        List<Commit> replayed = new ArrayList<>();
        try (JournalPersistence journal = JournalPersistence.open(Stores.journal(dir))) {
            journal.load(new CommitStream() {
                @Override
                public void restore(String name, byte[] data, long seq, long expires) {
                    fail("no snapshot was expected, found " + name + " at " + seq);
                }

                @Override
                public void replayed(Commit commit) {
                    replayed.add(commit);
                }

                @Override
                public void reload() {}

                @Override
                public void loaded(long lastSeq) {}

                @Override
                public void committed(List<Commit> batch) {}
            });
        }
        return replayed;
    }

    private static String describe(Commit commit) {
        Change m = commit.only();
        return (m.isDelete() ? "delete" : "put") + " " + m.name()
                + (m.isDelete() ? "" : " " + new String(m.data(), StandardCharsets.UTF_8));
    }

    /** "seq op name" of each change in a poll's body. */
    private static List<String> describe(String body) {
        return json(body).getJsonArray("results").stream()
                .map(JsonValue::asJsonObject)
                .map(c -> c.getJsonNumber("seq") + " " + c.getString("op") + " " + c.getString("name"))
                .toList();
    }

    /**
     * The poll body of every change after {@code from} once the feed has reached
     * seq {@code last} (writes are acknowledged a moment before the feed gets them).
     */
    private String awaitChanges(String base, long last, String query, long from) throws Exception {
        return Eventually.await(
                "the feed reaches seq " + last,
                Eventually.TIMEOUT,
                () -> {
                    HttpResponse<String> res = send(() -> get(base, "/api/changes?since=" + from + query));
                    assertEquals(200, res.statusCode(), res.body());
                    return res.body();
                },
                body -> json(body).getJsonNumber("last_seq").longValue() >= last);
    }

    /** The server's {@code microstore_subscribers} gauge: clients waiting on its feed. */
    private int subscribers(String base) {
        String metrics = send(() -> get(base, "/observe/metrics")).body();
        Matcher m = Pattern.compile("(?m)^microstore_subscribers(?:\\{[^}]*})? (\\S+)$")
                .matcher(metrics);
        assertTrue(m.find(), "no microstore_subscribers in\n" + metrics);
        return (int) Double.parseDouble(m.group(1));
    }

    private interface Request {
        HttpResponse<String> send() throws IOException, InterruptedException;
    }

    /** {@code request} sent, for a fact checked in a lambda (which cannot throw what a request does). */
    private static HttpResponse<String> send(Request request) {
        try {
            return request.send();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private HttpResponse<String> get(String base, String path) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create(base + path))
                        .timeout(Duration.ofSeconds(30))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> put(String base, String name, String json) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(app(base, name))
                        .timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "application/json")
                        .PUT(HttpRequest.BodyPublishers.ofString("{\"data\":" + json + "}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> delete(String base, String name) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(app(base, name))
                        .timeout(Duration.ofSeconds(30))
                        .DELETE()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static URI app(String base, String name) {
        return URI.create(base + "/api/apps/"
                + URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20"));
    }

    private static JsonObject json(String text) {
        try (var reader = Json.createReader(new StringReader(text))) {
            return reader.readObject();
        }
    }
}
