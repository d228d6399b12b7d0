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

import io.microstore.testing.Eventually;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Kill -9 at random moments (after a random number of answers) under concurrent writes (puts, deletes,
 * conditional puts and creates), with compaction forced to run during the load, restart on the same
 * data directory, and check the recorded history: every acknowledged write is present or superseded by
 * a later write to the same name, nothing never-written appears, and start-up always succeeds.
 * Repeated, across fsync modes. The same for transactions: after every kill each is all there or not
 * at all.
 */
class CrashIT {
    private static final int ROUNDS = 6;
    private static final int TXN_ROUNDS = 3; // one per fsync mode
    private static final int WRITERS = 16;
    private static final int KEYS = 40;
    private static final String[] FSYNC = {"always", "interval", "never"};
    private static final Pattern ID = Pattern.compile("\"id\":\"([^\"]+)\"");

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final AtomicInteger ids = new AtomicInteger();

    enum Kind {
        PUT,
        DELETE,
        PUT_IF_MATCH,
        CREATE
    }

    enum Result {
        ACKED,
        REFUSED,
        UNKNOWN
    }

    /** One request and what became of it. {@code id} names the value a put wrote; null for deletes. */
    record Op(String key, Kind kind, String id, String body, long start, long end, Result result, long etag) {}

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
                assertEquals(
                        expected,
                        read(base),
                        "state after restart before round " + round + "; the server printed:\n" + server.output());
                AtomicBoolean stop = new AtomicBoolean();
                List<Thread> writers = new ArrayList<>();
                for (int w = 0; w < WRITERS; w++) {
                    writers.add(Thread.ofVirtual().start(() -> write(base, history, stop)));
                }
                awaitAnswers(history, ThreadLocalRandom.current().nextInt(50, 800));
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

    // --- transactions ---------------------------------------------------------------------------

    /** A transaction a writer sent: the marker it put into each of {@code names}, and its answer. */
    record Txn(String id, List<String> names, Result result, long seq) {}

    /**
     * Kill -9 while writers run transactions that put one marker into 2 to 6 apps (some with a create-only
     * condition that may refuse them) while compaction runs, then a torn transaction record appended (what
     * a kill inside its write leaves); after each restart every transaction is all there or not at all (the apps holding its marker share
     * one ETag, and each other app it wrote has a later one), every acknowledged one is there (or
     * overwritten by a later seq), and no refused one is.
     */
    @Test
    void aTransactionIsWholeOrAbsentAfterKill9(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        Map<String, State> expected = new HashMap<>();
        int torn = 0;
        for (int round = 0; round < TXN_ROUNDS; round++) {
            String fsync = FSYNC[round % FSYNC.length];
            ConcurrentLinkedQueue<Txn> history = new ConcurrentLinkedQueue<>();
            try (ChildServer server = ChildServer.start(jvm(fsync), "--data", data.toString())) {
                String base = server.baseUrl();
                assertEquals(
                        expected,
                        read(base),
                        "state after restart before round " + round + "; the server printed:\n" + server.output());
                torn += count(server.output(), "cut a torn record");
                AtomicBoolean stop = new AtomicBoolean();
                List<Thread> writers = new ArrayList<>();
                for (int w = 0; w < WRITERS; w++) {
                    writers.add(Thread.ofVirtual().start(() -> transact(base, history, stop)));
                }
                awaitAnswers(history, ThreadLocalRandom.current().nextInt(20, 200));
                server.kill9();
                stop.set(true);
                for (Thread t : writers) {
                    t.join();
                }
            }
            appendTornTransaction(data);
            try (ChildServer server = ChildServer.start(jvm(fsync), "--data", data.toString())) {
                Map<String, State> actual = read(server.baseUrl());
                checkTransactions(expected, history, actual, server.output());
                int cut = count(server.output(), "cut a torn record");
                assertTrue(cut >= 1, "the torn transaction record was not cut:\n" + server.output());
                torn += cut;
                expected = actual;
                assertEquals(0, server.terminate(), "exit status after SIGTERM");
            }
        }
        assertTrue(torn >= TXN_ROUNDS, "every round's torn transaction record was cut: " + torn);
    }

    /**
     * What a kill in the middle of writing a transaction's record leaves (a real kill -9 rarely lands
     * inside a write): the record of the next seq, putting a marker nobody wrote into 3 apps, cut at a
     * random byte before its end, appended to the last journal segment.
     */
    private static void appendTornTransaction(Path data) throws IOException {
        Path segment;
        try (var files = java.nio.file.Files.list(data)) {
            segment = files.filter(f -> f.getFileName().toString().matches("journal-\\d+\\.jsonl"))
                    .max(java.util.Comparator.naturalOrder())
                    .orElseThrow();
        }
        String text = java.nio.file.Files.readString(segment, StandardCharsets.ISO_8859_1);
        Matcher last = Pattern.compile("\\{\"seq\":(\\d+),[^\\n]*\\n$").matcher(text);
        long next = last.find()
                ? Long.parseLong(last.group(1)) + 1
                : Long.parseLong(segment.getFileName().toString().replaceAll("\\D", ""));
        String payload = "{\"seq\":" + next + ",\"op\":\"txn\",\"ops\":[{\"op\":\"put\",\"name\":\"x1\",\"data\":"
                + "{\"id\":\"torn\"}},{\"op\":\"put\",\"name\":\"x2\",\"data\":{\"id\":\"torn\"}},"
                + "{\"op\":\"put\",\"name\":\"x3\",\"data\":{\"id\":\"torn\"}}]";
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(payload.getBytes(StandardCharsets.UTF_8));
        byte[] record = (payload + ",\"crc\":\"" + String.format("%08x", crc.getValue()) + "\"}\n")
                .getBytes(StandardCharsets.UTF_8);
        int cut = 1 + ThreadLocalRandom.current().nextInt(record.length - 1); // 1 .. all but the LF
        java.nio.file.Files.write(
                segment, java.util.Arrays.copyOf(record, cut), java.nio.file.StandardOpenOption.APPEND);
    }

    /** One writer: transactions of puts of one marker into random apps until the server dies or {@code stop}. */
    private void transact(String base, ConcurrentLinkedQueue<Txn> history, AtomicBoolean stop) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (!stop.get()) {
            String id = "t" + ids.incrementAndGet();
            List<String> names = new ArrayList<>();
            int size = 2 + random.nextInt(5);
            while (names.size() < size) {
                String name = "x" + random.nextInt(KEYS) + (random.nextInt(5) == 0 ? "/é" : "");
                if (!names.contains(name)) {
                    names.add(name);
                }
            }
            boolean conditional = random.nextInt(5) == 0; // its last put only creates: 412 when the app exists
            StringBuilder body = new StringBuilder("[");
            for (int i = 0; i < names.size(); i++) {
                body.append(i == 0 ? "" : ",")
                        .append("{\"op\":\"put\",\"name\":\"")
                        .append(names.get(i))
                        .append("\",\"data\":{\"id\":\"")
                        .append(id)
                        .append("\",\"pad\":\"")
                        .append("x".repeat(random.nextInt(3000)))
                        .append("\"}")
                        .append(conditional && i == names.size() - 1 ? ",\"if_none_match\":\"*\"}" : "}");
            }
            HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/txn"))
                    .timeout(Duration.ofSeconds(20))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body.append("]").toString()))
                    .build();
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                int status = response.statusCode();
                if (status == 200) {
                    Matcher seq = Pattern.compile("^\\{\"seq\":(\\d+),").matcher(response.body());
                    assertTrue(seq.find(), response.body());
                    history.add(new Txn(id, names, Result.ACKED, Long.parseLong(seq.group(1))));
                } else if (status == 412) {
                    history.add(new Txn(id, names, Result.REFUSED, 0));
                } else if (status == 503) {
                    history.add(new Txn(id, names, Result.UNKNOWN, 0));
                } else {
                    fail("unexpected status " + status + ": " + response.body());
                }
            } catch (IOException e) {
                history.add(new Txn(id, names, Result.UNKNOWN, 0));
                return; // the server is gone
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static void checkTransactions(
            Map<String, State> before, Iterable<Txn> history, Map<String, State> after, String log) {
        java.util.Set<String> known = new java.util.HashSet<>();
        before.values().forEach(state -> known.add(state.id()));
        for (Txn txn : history) {
            known.add(txn.id());
            List<String> holding = txn.names().stream()
                    .filter(n ->
                            txn.id().equals(after.getOrDefault(n, State.ABSENT).id()))
                    .toList();
            String what = txn + " found "
                    + txn.names().stream().map(n -> n + "=" + after.get(n)).toList() + "\nserver output:\n" + log;
            if (txn.result() == Result.REFUSED) {
                assertTrue(holding.isEmpty(), "a refused transaction was written: " + what);
                continue;
            }
            long seq = txn.result() == Result.ACKED
                    ? txn.seq()
                    : holding.isEmpty() ? 0 : after.get(holding.getFirst()).etag();
            if (seq == 0) {
                continue; // an unknown outcome that did not survive: nothing of it may be there (holding is empty)
            }
            for (String name : holding) {
                assertEquals(seq, after.get(name).etag(), "the apps of one transaction hold different seqs: " + what);
            }
            for (String name : txn.names()) {
                State found = after.getOrDefault(name, State.ABSENT);
                assertTrue(found.etag() >= seq, "part of a transaction at seq " + seq + " is missing: " + what);
                assertTrue(
                        found.etag() > seq || txn.id().equals(found.id()),
                        "an app holds another value at the transaction's seq " + seq + ": " + what);
            }
        }
        for (Map.Entry<String, State> e : after.entrySet()) {
            assertTrue(known.contains(e.getValue().id()), "a value nobody wrote: " + e);
        }
        for (String name : before.keySet()) {
            assertTrue(after.containsKey(name), "nothing deletes, yet " + name + " is gone\nserver output:\n" + log);
        }
    }

    /**
     * Waits until {@code history} holds {@code answers} requests: the random moment to kill at, counted in
     * the server's answers rather than in time, so that on a loaded machine the kill does not come before
     * the load (nor, on an idle one, after thousands of writes).
     */
    private static void awaitAnswers(ConcurrentLinkedQueue<?> history, int answers) throws InterruptedException {
        Eventually.await(answers + " requests answered", () -> history.size() >= answers);
    }

    private static List<String> jvm(String fsync) {
        return List.of(
                "-Xmx256m",
                "-Dstore.fsync=" + fsync,
                "-Dstore.fsync-interval=PT0.02S",
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
            String body =
                    id == null ? null : "{\"id\":\"" + id + "\",\"pad\":\"" + "x".repeat(random.nextInt(400)) + "\"}";
            HttpRequest.Builder request = HttpRequest.newBuilder(uri(base, key)).timeout(Duration.ofSeconds(20));
            switch (kind) {
                case DELETE -> request.DELETE();
                case CREATE -> request.header("If-None-Match", "*");
                case PUT_IF_MATCH ->
                    request.header("If-Match", seen.containsKey(key) ? "\"" + seen.get(key) + "\"" : "*");
                default -> {}
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
                long etag =
                        response.headers().firstValue("ETag").map(CrashIT::seq).orElse(0L);
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
            long lastAckedStart = ops.stream()
                    .filter(o -> o.result() == Result.ACKED)
                    .mapToLong(Op::start)
                    .max()
                    .orElse(Long.MIN_VALUE);
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
            long maxAckedPut = ops.stream()
                    .filter(o -> o.result() == Result.ACKED && o.id() != null)
                    .mapToLong(Op::etag)
                    .max()
                    .orElse(0);
            assertTrue(
                    found.id() == null || found.etag() >= maxAckedPut,
                    "an acknowledged put to " + key + " (ETag " + maxAckedPut + ") was lost; found " + found);
        }
    }

    /** Every value found is byte for byte the value that was written under its id. */
    private void checkBodies(String base, Map<String, State> found, Map<String, String> bodies) throws Exception {
        for (Map.Entry<String, State> e : found.entrySet()) {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(uri(base, e.getKey())).build(), HttpResponse.BodyHandlers.ofString());
            String expected = bodies.get(e.getValue().id());
            if (expected != null) {
                assertEquals("{\"name\":\"" + e.getKey() + "\",\"data\":" + expected + "}", response.body());
            }
        }
    }

    /** Every app with the id of its value and its ETag, read back over HTTP. */
    private Map<String, State> read(String base) throws Exception {
        HttpResponse<String> list = http.send(
                HttpRequest.newBuilder(URI.create(base + "/api/apps")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, list.statusCode());
        Map<String, State> state = new HashMap<>();
        Matcher names = Pattern.compile("\"name\":\"([^\"]+)\"").matcher(list.body());
        while (names.find()) {
            String name = names.group(1);
            HttpResponse<String> app =
                    http.send(HttpRequest.newBuilder(uri(base, name)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, app.statusCode(), name);
            Matcher id = ID.matcher(app.body());
            assertTrue(id.find(), app.body());
            state.put(
                    name,
                    new State(id.group(1), seq(app.headers().firstValue("ETag").orElseThrow())));
        }
        return state;
    }

    private static URI uri(String base, String name) {
        return URI.create(base + "/api/apps/"
                + URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20"));
    }

    private static long seq(String etag) {
        return Long.parseLong(etag.replace("\"", ""));
    }

    private static int count(String text, String what) {
        return text.split(Pattern.quote(what), -1).length - 1;
    }
}
