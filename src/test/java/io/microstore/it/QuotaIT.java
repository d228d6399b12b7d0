package io.microstore.it;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The memory quota in the real jar with a small heap: values of 9 MiB are PUT into a data directory
 * until the default quota (a quarter of {@code -Xmx256m}) answers 507; nothing answers 500 and the JVM
 * never runs out of heap, also while a snapshot is written; after kill -9 the same heap starts the
 * store again with every acknowledged value, and a DELETE makes room for the next PUT; a heap too small for
 * the data ends the start with a clear message and leaves the data as it was.
 */
class QuotaIT {
    private static final List<String> JVM = List.of(
            "-Xmx256m", "-Dstore.compaction.min-journal-bytes=16777216"); // a snapshot is written on the way, too
    private static final int VALUE_BYTES = 9 << 20;
    private static final Pattern LIMIT = Pattern.compile("\"limit\":(\\d+)");
    private static final Pattern USED = Pattern.compile("\"used\":(\\d+)");
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void ninesMebibyteValuesFillTheDefaultQuotaWithoutRunningOutOfHeapAndAllComeBackOnTheSameHeap(@TempDir Path dir)
            throws Exception {
        List<String> stored = new ArrayList<>();
        try (ChildServer server = ChildServer.start(JVM, "--data", dir.toString())) {
            String base = server.baseUrl();
            HttpResponse<String> refused = null;
            for (int i = 0; i < 40 && refused == null; i++) {
                HttpResponse<String> res = put(base, "v" + i);
                if (res.statusCode() == 507) {
                    refused = res;
                } else {
                    assertEquals(204, res.statusCode(), res.body() + "\n" + server.output());
                    stored.add("v" + i);
                }
            }
            assertTrue(refused != null, "40 values of 9 MiB fit in a heap of 256 MiB:\n" + server.output());
            long limit = number(LIMIT, refused.body());
            // a quarter of the max heap (which the JVM reports a little under -Xmx)
            assertTrue(limit > 60L << 20 && limit <= 64L << 20, refused.body());
            assertTrue(number(USED, refused.body()) <= limit, refused.body());
            assertEquals(limit / (VALUE_BYTES + 2 + 240 + 2), stored.size(), refused.body());

            // Replacing a value by one of the same size fits; the changes feed would keep the old ones, but
            // only in the room the quota leaves, so the heap never holds more than the quota of stored data.
            for (int i = 0; i < 3; i++) {
                assertEquals(204, put(base, stored.getLast()).statusCode(), server.output());
            }
            // At the quota, several large writes at once are refused too, never a 500 or an OOM.
            assertAllRefused(base, 4);
            assertEquals(404, get(base, "/api/apps/v" + stored.size()).statusCode());
            assertEquals(200, get(base, "/api/apps/" + stored.getFirst()).statusCode()); // reads go on
            String health = get(base, "/observe/health").body();
            assertTrue(health.contains("\"status\":\"UP\"") && health.contains("memory quota"), health);
            HttpResponse<String> compacted = http.send(
                    HttpRequest.newBuilder(URI.create(base + "/api/admin/compact"))
                            .POST(HttpRequest.BodyPublishers.noBody())
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, compacted.statusCode(), compacted.body());
            server.kill9();
            assertNoOutOfMemory(server);
        }
        try (ChildServer server = ChildServer.start(JVM, "--data", dir.toString())) {
            String base = server.baseUrl();
            for (String name : stored) {
                HttpResponse<byte[]> res = http.send(
                        HttpRequest.newBuilder(URI.create(base + "/api/apps/" + name))
                                .build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                assertEquals(200, res.statusCode(), name + "\n" + server.output());
                assertTrue(Arrays.equals(document(name), res.body()), name + " came back different");
            }
            assertEquals(stored.size(), countApps(get(base, "/api/apps").body()));
            assertEquals(507, put(base, "more").statusCode());
            assertEquals(
                    204,
                    http.send(
                                    HttpRequest.newBuilder(URI.create(base + "/api/apps/" + stored.getFirst()))
                                            .DELETE()
                                            .build(),
                                    HttpResponse.BodyHandlers.discarding())
                            .statusCode());
            assertEquals(204, put(base, "more").statusCode(), server.output());
            server.kill9();
            assertNoOutOfMemory(server);
        }
        // On a heap too small for what is stored, the start ends at once with a message that says so (not a
        // stack trace, nor a process that never serves), and leaves the data directory as it was.
        try (ChildServer tooSmall = ChildServer.launch(List.of("-Xmx32m"), "--data", dir.toString())) {
            assertEquals(3, tooSmall.waitFor(), tooSmall.output()); // the status -XX:+ExitOnOutOfMemoryError gives
            assertTrue(
                    tooSmall.output().contains("microstore: cannot start: the heap (-Xmx, at most ")
                            && tooSmall.output()
                                    .contains("is too small to load the data directory; start java with a larger"
                                            + " -Xmx"),
                    tooSmall.output());
        }
        try (ChildServer server = ChildServer.start(JVM, "--data", dir.toString())) {
            assertEquals(
                    stored.size(), countApps(get(server.baseUrl(), "/api/apps").body()), server.output());
        }
    }

    /**
     * {@code writers} PUTs of 9 MiB at once: each gets 507, or 503 with Retry-After when the bodies in flight
     * are over {@code server.max-in-flight-bytes} (a quarter of the heap, 4x each body). Bodies are charged as
     * their bytes arrive, so all of them may be refused half way with 503; one PUT alone afterwards fits the
     * in-flight budget and reaches the quota check: 507.
     */
    private void assertAllRefused(String base, int writers) throws Exception {
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<HttpResponse<String>>> results = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                String name = "concurrent-" + i;
                results.add(pool.submit((Callable<HttpResponse<String>>) () -> put(base, name)));
            }
            for (Future<HttpResponse<String>> result : results) {
                HttpResponse<String> res = result.get();
                if (res.statusCode() == 503) {
                    assertTrue(res.headers().firstValue("Retry-After").isPresent(), res.body());
                } else {
                    assertEquals(507, res.statusCode(), res.body());
                }
            }
        }
        HttpResponse<String> alone = put(base, "alone");
        assertEquals(507, alone.statusCode(), alone.body());
    }

    /** A 9 MiB JSON string, its own for each name, as the stored document. */
    private static byte[] document(String name) {
        return ("{\"name\":\"" + name + "\",\"data\":" + value(name) + "}").getBytes(StandardCharsets.UTF_8);
    }

    private static String value(String name) {
        return "\"" + name + "-" + "x".repeat(VALUE_BYTES - name.length() - 1) + "\"";
    }

    private HttpResponse<String> put(String base, String name) throws Exception {
        byte[] body = ("{\"data\":" + value(name) + "}").getBytes(StandardCharsets.UTF_8);
        return http.send(
                HttpRequest.newBuilder(URI.create(base + "/api/apps/" + name))
                        .header("Content-Type", "application/json")
                        .timeout(Duration.ofSeconds(60))
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String base, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static long number(Pattern member, String body) {
        Matcher m = member.matcher(body);
        if (!m.find()) {
            fail("no " + member + " in " + body);
        }
        return Long.parseLong(m.group(1));
    }

    private static int countApps(String list) {
        return list.split("\"name\"", -1).length - 1;
    }

    private static void assertNoOutOfMemory(ChildServer server) {
        assertFalse(server.output().contains("OutOfMemoryError"), server.output());
    }
}
