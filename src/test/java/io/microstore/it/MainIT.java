package io.microstore.it;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import io.microstore.testing.Eventually;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The jar as a user runs it: flags, start-up line, lock, SIGTERM. */
class MainIT {
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void secondProcessOnTheSameDataDirExitsAndTheFirstKeepsServing(@TempDir Path dir) throws Exception {
        try (ChildServer first = ChildServer.start(List.of(), "--data", dir.toString())) {
            ChildServer second = ChildServer.launch(List.of(), "--data", dir.toString());
            int status = second.waitFor();
            assertEquals(4, status, second.output()); // its own status: a supervisor may retry this one
            assertTrue(second.output().contains("is in use by another microstore process"), second.output());
            assertEquals(204, put(first.baseUrl(), "still", "1").statusCode());
            assertEquals(
                    "{\"name\":\"still\",\"data\":1}",
                    get(first.baseUrl(), "still").body());
        }
    }

    @Test
    void sigtermFinishesQueuedWritesReleasesTheLockAndExitsZero(@TempDir Path dir) throws Exception {
        ConcurrentHashMap<String, String> acked = new ConcurrentHashMap<>();
        try (ChildServer server = ChildServer.start(List.of(), "--data", dir.toString())) {
            String base = server.baseUrl();
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> writers = java.util.stream.IntStream.range(0, 8)
                    .mapToObj(w -> Thread.ofVirtual().start(() -> {
                        for (int i = 0; !stop.get(); i++) {
                            try {
                                if (put(base, "w" + w, String.valueOf(i)).statusCode() == 204) {
                                    acked.put("w" + w, String.valueOf(i));
                                }
                            } catch (Exception e) {
                                return;
                            }
                        }
                    }))
                    .toList();
            // Every writer has had a write acknowledged; they go on writing, so SIGTERM finds writes queued.
            Eventually.await("a write of every writer acknowledged", () -> acked.size() == 8);
            assertEquals(0, server.terminate(), server.output());
            stop.set(true);
            for (Thread t : writers) {
                t.join();
            }
            assertTrue(server.output().contains("stopped"), server.output());
        }
        assertTrue(acked.size() > 0, "no write was acknowledged before SIGTERM");
        try (ChildServer again = ChildServer.start(List.of(), "--data", dir.toString())) {
            for (var e : acked.entrySet()) {
                String body = get(again.baseUrl(), e.getKey()).body();
                int found = Integer.parseInt(body.replaceAll(".*\"data\":(\\d+)}", "$1"));
                assertTrue(
                        found >= Integer.parseInt(e.getValue()), e.getKey() + " lost an acknowledged write: " + body);
            }
        }
    }

    @Test
    void portZeroPrintsTheRealPortAndInMemoryWarns() throws Exception {
        try (ChildServer server = ChildServer.start(List.of())) {
            assertTrue(server.awaitPort() > 0);
            assertEquals(
                    200,
                    http.send(
                                    HttpRequest.newBuilder(URI.create(server.baseUrl() + "/api/apps"))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .statusCode());
            assertTrue(server.output().contains("data: in memory only, not on disk)"), server.output());
            assertTrue(server.output().contains("data is kept in memory only"), server.output());
            assertFalse(server.output().contains("fsync"), server.output()); // nothing is synced in memory
        }
    }

    @Test
    void aDataPathThatIsAFileIsRefusedInOneLine(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("plain-file"), "x");
        ChildServer server = ChildServer.launch(List.of(), "--data", file.toString());
        assertNotEquals(0, server.waitFor());
        assertTrue(server.output().contains("is a file, not a directory"), server.output());
    }

    @Test
    void aDamagedJournalStopsTheStartWithStatusFive(@TempDir Path dir) throws Exception {
        try (ChildServer server = ChildServer.start(List.of(), "--data", dir.toString())) {
            assertEquals(204, put(server.baseUrl(), "first", "1").statusCode());
            assertEquals(204, put(server.baseUrl(), "second", "2").statusCode());
            assertEquals(0, server.terminate(), server.output());
        }
        // a changed byte in the first record, with a good one after it: damage, not a torn last record
        Path journal;
        try (var files = Files.list(dir)) {
            journal = files.filter(f -> f.getFileName().toString().startsWith("journal-"))
                    .findFirst()
                    .orElseThrow();
        }
        String text = Files.readString(journal);
        Files.writeString(journal, text.replaceFirst("\"first\"", "\"fir5t\""));
        ChildServer damaged = ChildServer.launch(List.of(), "--data", dir.toString());
        assertEquals(5, damaged.waitFor(), damaged.output());
        assertTrue(damaged.output().contains("is damaged at byte 0"), damaged.output());
    }

    @Test
    void versionNamesTheVersionAndTheCommit() throws Exception {
        ChildServer version = ChildServer.launch(List.of(), "--version");
        assertEquals(0, version.waitFor());
        assertTrue(
                version.output()
                        .strip()
                        .matches("microstore \\d+\\.\\d+\\.\\d+\\S* \\(commit (unknown|[0-9a-f]{7,40}(-dirty)?)\\)"),
                version.output());
    }

    @Test
    void helpPrintsUsageAndBadFlagsExitWithStatusTwo() throws Exception {
        ChildServer help = ChildServer.launch(List.of(), "--help");
        assertEquals(0, help.waitFor());
        assertTrue(help.output().contains("Usage: microstore [options]"), help.output());

        ChildServer unknown = ChildServer.launch(List.of(), "--bogus");
        assertEquals(2, unknown.waitFor());
        assertTrue(unknown.output().contains("unknown option '--bogus'"), unknown.output());

        ChildServer fsync = ChildServer.launch(List.of(), "--fsync", "sometimes");
        assertEquals(2, fsync.waitFor());
        assertTrue(fsync.output().contains("fsync must be always, interval or never"), fsync.output());
    }

    private HttpResponse<String> put(String base, String name, String data) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(base + "/api/apps/" + name))
                        .header("Content-Type", "application/json")
                        .PUT(HttpRequest.BodyPublishers.ofString("{\"data\":" + data + "}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String base, String name) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(base + "/api/apps/" + name)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
