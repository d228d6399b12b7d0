package io.microstore.it;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reads of a full memory quota on the heap that holds it, in the real jar: with {@code -Xmx512m}, 12 values
 * of 9.9 MB (inside the default quota, a quarter of the heap) come back whole from one listing with
 * {@code include=data} and one page of the changes feed with it (119 MB each), then from four such readers
 * at once while two writers replace values; nothing answers 500, the JVM (told to exit on its first
 * OutOfMemoryError, as {@code make run} does) stays up, and health says UP. Before answers were streamed,
 * each was built whole at about three times its size: 500s, and the JVM died.
 */
class LargeReadsIT {
    private static final List<String> JVM = List.of(
            "-Xmx512m",
            "-XX:+ExitOnOutOfMemoryError",
            "-Dstore.changes.retain-bytes=268435456"); // the feed keeps all 12 (current values cost it nothing)
    private static final int APPS = 12;
    private static final int VALUE_BYTES = 9_900_000;
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void listingsAndFeedPagesOfAFullQuotaOnA512MbHeapAnswerWholeAmidWritersAndTheServerStaysUp(@TempDir Path dir)
            throws Exception {
        try (ChildServer server = ChildServer.start(JVM, "--data", dir.toString())) {
            String base = server.baseUrl();
            for (int i = 1; i <= APPS; i++) {
                assertEquals(204, put(base, name(i)), server.output());
            }
            Body listing = Body.of(listing());
            Body feedPage = Body.of(feedPage());
            String list = "/api/apps?include=data";
            String feed = "/api/changes?since=0&include=data&limit=10000";
            assertEquals(listing, get(base, list), "one listing\n" + server.output());
            assertEquals(feedPage, get(base, feed), "one page of the feed\n" + server.output());

            // Four readers and two writers at once. The writers put the same bytes again, so the listing stays the
            // same; the feed grows, and at the quota it gives up old values for the overwritten ones (then the
            // page from 0 is a 410: the client lists again), so its pages are checked for their frame only.
            List<Future<String>> results = new ArrayList<>();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int r = 0; r < 4; r++) {
                    String path = r % 2 == 0 ? list : feed;
                    results.add(pool.submit((Callable<String>) () -> {
                        for (int round = 0; round < 3; round++) {
                            Body body = get(base, path);
                            if (path.equals(list) ? !body.equals(listing) : !feedFrame(body, feedPage)) {
                                return path + " answered " + body;
                            }
                        }
                        return null;
                    }));
                }
                for (int w = 1; w <= 2; w++) {
                    String name = name(w);
                    results.add(pool.submit((Callable<String>) () -> {
                        for (int round = 0; round < 3; round++) {
                            int status = put(base, name);
                            if (status != 204) {
                                return "PUT " + name + " answered " + status;
                            }
                        }
                        return null;
                    }));
                }
                for (Future<String> result : results) {
                    String failure;
                    try {
                        failure = result.get();
                    } catch (java.util.concurrent.ExecutionException e) {
                        failure = String.valueOf(e.getCause()); // the server went away
                    }
                    assertEquals(null, failure, server.output());
                }
            }
            assertTrue(server.isAlive(), server.output());
            HttpResponse<String> health = http.send(
                    HttpRequest.newBuilder(URI.create(base + "/observe/health"))
                            .timeout(TIMEOUT)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode(), health.body());
            assertFalse(server.output().contains("OutOfMemoryError"), server.output());
        }
    }

    /** A response's status, length and SHA-256, read as it streams in (the test keeps no 119 MB bodies). */
    private record Body(int status, long length, String sha256) {
        static Body of(byte[] bytes) throws Exception {
            return new Body(
                    200,
                    bytes.length,
                    HexFormat.of()
                            .formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
        }
    }

    /**
     * A later page of the feed from 0: 200 with at least the changes of the first page (writes add some),
     * or 410 once the window has let seq 1 go.
     */
    private static boolean feedFrame(Body body, Body first) {
        return body.status() == 200 ? body.length() >= first.length() : body.status() == 410;
    }

    private Body get(String base, String path) throws Exception {
        HttpResponse<InputStream> res = http.send(
                HttpRequest.newBuilder(URI.create(base + path)).timeout(TIMEOUT).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        long length = 0;
        try (InputStream in = res.body()) {
            byte[] buf = new byte[1 << 16];
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                digest.update(buf, 0, n);
                length += n;
            }
        }
        return new Body(res.statusCode(), length, HexFormat.of().formatHex(digest.digest()));
    }

    private int put(String base, String name) throws Exception {
        byte[] body = ("{\"data\":" + value(name) + "}").getBytes(StandardCharsets.UTF_8);
        return http.send(
                        HttpRequest.newBuilder(URI.create(base + "/api/apps/" + name))
                                .header("Content-Type", "application/json")
                                .timeout(TIMEOUT)
                                .PUT(HttpRequest.BodyPublishers.ofByteArray(body))
                                .build(),
                        HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    private static String name(int i) {
        return String.format("v%02d", i);
    }

    /** A JSON string of exactly {@link #VALUE_BYTES} bytes, its own for each name. */
    private static String value(String name) {
        return "\"" + name + "-" + "x".repeat(VALUE_BYTES - name.length() - 3) + "\"";
    }

    /** What {@code GET /api/apps?include=data} answers: every app in name order with its value. */
    private static byte[] listing() {
        StringBuilder json = new StringBuilder("[");
        for (int i = 1; i <= APPS; i++) {
            json.append(i > 1 ? "," : "")
                    .append("{\"name\":\"")
                    .append(name(i))
                    .append("\",\"data\":")
                    .append(value(name(i)))
                    .append('}');
        }
        return json.append(']').toString().getBytes(StandardCharsets.UTF_8);
    }

    /** What the feed from seq 0 with {@code include=data} answers: each PUT with its seq, etag and value. */
    private static byte[] feedPage() {
        StringBuilder json = new StringBuilder("{\"results\":[");
        for (int i = 1; i <= APPS; i++) {
            json.append(i > 1 ? "," : "")
                    .append("{\"seq\":")
                    .append(i)
                    .append(",\"name\":\"")
                    .append(name(i))
                    .append("\",\"op\":\"put\",\"etag\":\"\\\"")
                    .append(i)
                    .append("\\\"\",\"data\":")
                    .append(value(name(i)))
                    .append('}');
        }
        return json.append("],\"last_seq\":")
                .append(APPS)
                .append('}')
                .toString()
                .getBytes(StandardCharsets.UTF_8);
    }
}
