package io.microstore.it;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.microstore.testing.Eventually;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kill -9 while two clients import over the same names again and again ({@code overwrite=true}, each
 * import one value into every app): after each restart every app holds the value of one import, never a
 * mix of two, and an acknowledged import is not lost. An import is one commit, one journal record.
 */
class ImportCrashIT {
    private static final int ROUNDS = 3;
    private static final int APPS = 4000;
    private static final String[] FSYNC = {"always", "interval", "never"};
    private static final Pattern LINE = Pattern.compile("\\{\"name\":\"([^\"]+)\",\"data\":\"([^\"]+)\"}");

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** An import sent: the value it put into every app, and whether it was acknowledged. */
    record Attempt(String value, boolean acked) {}

    @Test
    void anImportIsWholeOrAbsentAfterKill9(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        String previous = "start";
        for (int round = 0; round < ROUNDS; round++) {
            List<String> jvm = List.of(
                    "-Xmx256m",
                    "-Dstore.fsync=" + FSYNC[round % FSYNC.length],
                    "-Dstore.compaction.min-journal-bytes=65536");
            ConcurrentLinkedQueue<Attempt> attempts = new ConcurrentLinkedQueue<>();
            try (ChildServer server = ChildServer.start(jvm, "--data", data.toString())) {
                String base = server.baseUrl();
                if (round == 0) {
                    assertEquals(200, send(base, previous), "the first import");
                }
                assertEquals(Set.of(previous), values(base), "before round " + round);
                List<Thread> clients = new ArrayList<>();
                for (int c = 0; c < 2; c++) {
                    String client = "r" + round + "c" + c + "-";
                    clients.add(Thread.ofVirtual().start(() -> importUntilGone(base, client, attempts)));
                }
                // a random moment to kill at, counted in imports answered rather than in time: on a loaded
                // machine a fixed while may end before the first import does
                int answered = ThreadLocalRandom.current().nextInt(1, 10);
                Eventually.await(answered + " imports answered", () -> attempts.size() >= answered);
                server.kill9();
                for (Thread t : clients) {
                    t.join();
                }
            }
            try (ChildServer server = ChildServer.start(jvm, "--data", data.toString())) {
                Set<String> found = values(server.baseUrl());
                assertEquals(
                        1,
                        found.size(),
                        "after kill -9 in round " + round + " the apps hold the values of " + "several imports: "
                                + found + "\n" + server.output());
                String value = found.iterator().next();
                Set<String> possible = new HashSet<>(Set.of(previous));
                attempts.forEach(a -> possible.add(a.value()));
                assertTrue(possible.contains(value), "a value nobody imported: " + value);
                if (attempts.stream().anyMatch(Attempt::acked)) {
                    assertNotEquals(previous, value, "an acknowledged import was lost");
                }
                previous = value;
                assertEquals(0, server.terminate(), "exit status after SIGTERM");
            }
        }
    }

    private void importUntilGone(String base, String client, ConcurrentLinkedQueue<Attempt> attempts) {
        for (int n = 0; ; n++) {
            String value = client + n;
            try {
                int status = send(base, value);
                assertEquals(200, status, "an import of " + value);
                attempts.add(new Attempt(value, true));
            } catch (IOException | InterruptedException e) {
                attempts.add(new Attempt(value, false)); // the server died: it may or may not have been applied
                return;
            }
        }
    }

    /** Imports {@code value} into every app, overwriting; the status. */
    private int send(String base, String value) throws IOException, InterruptedException {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < APPS; i++) {
            lines.append("{\"name\":\"app-")
                    .append(i)
                    .append("\",\"data\":\"")
                    .append(value)
                    .append("\"}\n");
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/import?overwrite=true"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofString(lines.toString()))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** The values the apps hold, from the export; every app must be there. */
    private Set<String> values(String base) throws Exception {
        HttpResponse<String> export = http.send(
                HttpRequest.newBuilder(URI.create(base + "/api/export")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, export.statusCode());
        Map<String, String> apps = new HashMap<>();
        Matcher line = LINE.matcher(export.body());
        while (line.find()) {
            apps.put(line.group(1), line.group(2));
        }
        assertEquals(APPS, apps.size(), "every app is there");
        return new HashSet<>(apps.values());
    }
}
