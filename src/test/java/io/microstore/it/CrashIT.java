package io.microstore.it;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Kill -9 at random moments under concurrent writes (puts, deletes, conditional puts and creates),
 * with compaction forced to run during the load, restart on the same data directory, and check the
 * recorded history: every acknowledged write is present or superseded by a later write to the same
 * name, nothing never-written appears, and start-up always succeeds. Repeated, across fsync modes.
 */
class CrashIT {
    private static final int ROUNDS = 6;
    private static final int WRITERS = 16;
    private static final int KEYS = 40;
    private static final String[] FSYNC = {"always", "interval", "never"};
    private static final Pattern ID = Pattern.compile("\"id\":\"([^\"]+)\"");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final AtomicInteger ids = new AtomicInteger();

    enum Kind { PUT, DELETE, PUT_IF_MATCH, CREATE }

    enum Result { ACKED, REFUSED, UNKNOWN }

    /** One request and what became of it. {@code id} names the value a put wrote; null for deletes. */
    record Op(String key, Kind kind, String id, String body, long start, long end, Result result, long etag) {
    }

    /** What a name holds: the id of the value written there (null when absent) and its ETag's seq. */
    record State(String id, long etag) {
        static final State ABSENT = new State(null, 0);
    }

    @Test
    void acknowledgedWritesSurviveKill9DuringLoadAndCompaction(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        Map<String, State> expected = new HashMap<>();
        Map<String, String> bodies = new HashMap<>();
        int compactions = 0;
        for (int round = 0; round < ROUNDS; round++) {
            String fsync = FSYNC[round % FSYNC.length];
            ConcurrentLinkedQueue<Op> history = new ConcurrentLinkedQueue<>();
            try (ChildServer server = ChildServer.start(jvm(fsync), "--data", data.toString())) {
                String base = server.baseUrl();
                assertEquals(expected, read(base), "state after restart before round " + round
                        + "; the server printed:\n" + server.output());
                AtomicBoolean stop = new AtomicBoolean();
                List<Thread> writers = new ArrayList<>();
                for (int w = 0; w < WRITERS; w++) {
                    writers.add(Thread.ofVirtual().start(() -> write(base, history, stop)));
                }
                Thread.sleep(ThreadLocalRandom.current().nextInt(400, 2000));
                server.kill9();
                stop.set(true);
                for (Thread t : writers) {
                    t.join();
                }
                compactions += count(server.output(), "compacted: snapshot");
            }
            for (Op op : history) {
                if (op.body() != null) {
                    bodies.put(op.id(), op.body());
                }
            }
            try (ChildServer server = ChildServer.start(jvm(fsync), "--data", data.toString())) {
                Map<String, State> actual = read(server.baseUrl());
                check(expected, history, actual, server.output());
                checkBodies(server.baseUrl(), actual, bodies);
                expected = actual;
                assertEquals(0, server.terminate(), "exit status after SIGTERM");
            }
        }
        assertTrue(compactions > 0, "compaction never ran during the load; lower min-journal-bytes");
    }

    private static List<String> jvm(String fsync) {
        return List.of("-Xmx256m", "-Dstore.fsync=" + fsync, "-Dstore.fsync-interval=PT0.02S",
                "-Dstore.compaction.min-journal-bytes=16384");
    }

    /** One writer: random operations on random names until the server dies or {@code stop} is set. */
    private void write(String base, ConcurrentLinkedQueue<Op> history, AtomicBoolean stop) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        Map<String, Long> seen = new HashMap<>(); // last ETag this writer saw per name
        while (!stop.get()) {
            String key = "k" + random.nextInt(KEYS) + (random.nextInt(4) == 0 ? "/sub dir/é" : "");
            int dice = random.nextInt(100);
            Kind kind = dice < 55 ? Kind.PUT : dice < 70 ? Kind.DELETE : dice < 90 ? Kind.PUT_IF_MATCH : Kind.CREATE;
            String id = kind == Kind.DELETE ? null : "v" + ids.incrementAndGet();
            String body = id == null ? null : "{\"id\":\"" + id + "\",\"pad\":\"" + "x".repeat(random.nextInt(400)) + "\"}";
            HttpRequest.Builder request = HttpRequest.newBuilder(uri(base, key)).timeout(Duration.ofSeconds(20));
            switch (kind) {
                case DELETE -> request.DELETE();
                case CREATE -> request.header("If-None-Match", "*");
                case PUT_IF_MATCH -> request.header("If-Match",
                        seen.containsKey(key) ? "\"" + seen.get(key) + "\"" : "*");
                default -> { }
            }
            if (body != null) {
                request.header("Content-Type", "application/json")
                        .PUT(HttpRequest.BodyPublishers.ofString("{\"data\":" + body + "}"));
            }
            long start = System.nanoTime();
            try {
                HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
                long end = System.nanoTime();
                int status = response.statusCode();
                long etag = response.headers().firstValue("ETag").map(CrashIT::seq).orElse(0L);
                Result result = status == 204 ? Result.ACKED : status == 412 ? Result.REFUSED : Result.UNKNOWN;
                if (status != 204 && status != 412 && status != 503) {
                    fail("unexpected status " + status + ": " + response.body());
                }
                if (etag > 0) {
                    seen.put(key, etag);
                }
                history.add(new Op(key, kind, id, body, start, end, result, etag));
            } catch (IOException e) {
                history.add(new Op(key, kind, id, body, start, Long.MAX_VALUE, Result.UNKNOWN, 0));
                return; // the server is gone
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /**
     * Per name, the state found after the restart must have been produced by a write (acknowledged or
     * of unknown outcome, or the state before the round) that no acknowledged write started after,
     * and its ETag must not be older than any acknowledged put's ETag to that name.
     */
    private static void check(Map<String, State> before, Iterable<Op> history, Map<String, State> after, String log) {
        Map<String, List<Op>> byKey = new HashMap<>();
        for (Op op : history) {
            byKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
        }
        for (String key : after.keySet()) {
            assertTrue(byKey.containsKey(key) || before.containsKey(key), "never-written name appeared: " + key);
        }
        for (Map.Entry<String, List<Op>> e : byKey.entrySet()) {
            String key = e.getKey();
            List<Op> ops = e.getValue();
            State found = after.getOrDefault(key, State.ABSENT);
            State initial = before.getOrDefault(key, State.ABSENT);
            long lastAckedStart = ops.stream().filter(o -> o.result() == Result.ACKED)
                    .mapToLong(Op::start).max().orElse(Long.MIN_VALUE);
            boolean explained = initial.equals(found) && lastAckedStart == Long.MIN_VALUE;
            for (Op op : ops) {
                boolean produces = op.result() != Result.REFUSED && java.util.Objects.equals(op.id(), found.id());
                if (produces && lastAckedStart <= op.end()) {
                    explained = true;
                    if (op.result() == Result.ACKED && op.id() != null) {
                        assertEquals(op.etag(), found.etag(), "ETag of " + key);
                    }
                }
            }
            if (!explained) {
                fail("name " + key + " holds " + found + " after the restart, which no surviving write explains; "
                        + "before the round: " + initial + "; history: " + ops + "\nserver output:\n" + log);
            }
            long maxAckedPut = ops.stream().filter(o -> o.result() == Result.ACKED && o.id() != null)
                    .mapToLong(Op::etag).max().orElse(0);
            assertTrue(found.id() == null || found.etag() >= maxAckedPut,
                    "an acknowledged put to " + key + " (ETag " + maxAckedPut + ") was lost; found " + found);
        }
    }

    /** Every value found is byte for byte the value that was written under its id. */
    private void checkBodies(String base, Map<String, State> found, Map<String, String> bodies) throws Exception {
        for (Map.Entry<String, State> e : found.entrySet()) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri(base, e.getKey())).build(),
                    HttpResponse.BodyHandlers.ofString());
            String expected = bodies.get(e.getValue().id());
            if (expected != null) {
                assertEquals("{\"name\":\"" + e.getKey() + "\",\"data\":" + expected + "}",
                        response.body());
            }
        }
    }

    /** Every app with the id of its value and its ETag, read back over HTTP. */
    private Map<String, State> read(String base) throws Exception {
        HttpResponse<String> list = http.send(HttpRequest.newBuilder(URI.create(base + "/api/apps")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, list.statusCode());
        Map<String, State> state = new HashMap<>();
        Matcher names = Pattern.compile("\"name\":\"([^\"]+)\"").matcher(list.body());
        while (names.find()) {
            String name = names.group(1);
            HttpResponse<String> app = http.send(HttpRequest.newBuilder(uri(base, name)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, app.statusCode(), name);
            Matcher id = ID.matcher(app.body());
            assertTrue(id.find(), app.body());
            state.put(name, new State(id.group(1), seq(app.headers().firstValue("ETag").orElseThrow())));
        }
        return state;
    }

    private static URI uri(String base, String name) {
        return URI.create(base + "/api/apps/" + URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20"));
    }

    private static long seq(String etag) {
        return Long.parseLong(etag.replace("\"", ""));
    }

    private static int count(String text, String what) {
        return text.split(Pattern.quote(what), -1).length - 1;
    }
}
