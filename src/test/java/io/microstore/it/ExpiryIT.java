package io.microstore.it;

import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

import io.microstore.testing.TestClient;
import io.microstore.testing.TestClient.Res;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static io.microstore.testing.TestClient.app;
import static io.microstore.testing.TestClient.assertProblem;
import static io.microstore.testing.TestClient.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Expiry across {@code kill -9} on the real jar with a data directory: a deadline is durable with its
 * write (journal, then snapshot), so after a restart the app is there with the same {@code Expires};
 * an app whose deadline passed while the process was down is gone as soon as the server answers, and
 * the feed (rebuilt from the journal) shows its delete with a seq of its own, once.
 *
 * <p>No restart has to beat a deadline: the deadlines that must survive are an hour away, and the one
 * that must pass while the server is down is set just before the last kill, checked to be still ahead
 * when the process is gone, then waited out with the server down. The jar's clock is the system's, so
 * that wait is real time: {@link #SHORT_TTL} seconds.
 */
@Timeout(120)
class ExpiryIT {
    private static final List<String> JVM = List.of("-Xmx128m", "-XX:TieredStopAtLevel=1");
    private static final long SHORT_TTL = 5;

    @Test
    void deadlinesSurviveKill9AndOneThatPassedWhileDownIsDeletedAtStart(@TempDir Path dir) throws Exception {
        String data = dir.resolve("data").toString();
        Res longPut;
        try (ChildServer server = ChildServer.start(JVM, "--data", data)) {
            TestClient http = new TestClient(server.awaitPort());
            longPut = http.putApp("long?ttl=3600", "1");
            assertStatus(longPut, 204);
            assertStatus(http.putApp("permanent", "2"), 204);
            server.kill9();
        }

        Res shortPut;
        try (ChildServer server = ChildServer.start(JVM, "--data", data)) {
            TestClient http = new TestClient(server.awaitPort());
            Res longGet = http.get(app("long"));
            assertStatus(longGet, 200);
            assertEquals(longPut.header("Expires"), longGet.header("Expires"), "the same deadline after kill -9");
            assertEquals(longPut.header("ETag"), longGet.header("ETag"));
            shortPut = http.putApp("short?ttl=" + SHORT_TTL, "3");
            assertStatus(shortPut, 204);
            assertStatus(http.send("POST", "/api/admin/compact", (String) null), 200); // from now on in a snapshot
            server.kill9();
        }
        long expires = ZonedDateTime.parse(shortPut.header("Expires"), DateTimeFormatter.RFC_1123_DATE_TIME)
                .toInstant()
                .toEpochMilli(); // cut to the second: the deadline is within a second after
        // Killed before its deadline, so the expiry cannot have happened while the server ran (a machine
        // too loaded to write, compact and kill in SHORT_TTL seconds cannot test this).
        assumeTrue(System.currentTimeMillis() < expires, "killed after the short deadline: too slow to test this");

        // The deadline passes while the server is down. Real time: the jar's clock cannot be moved on.
        Thread.sleep(Math.max(0, expires + 1000 - System.currentTimeMillis()));
        try (ChildServer server = ChildServer.start(JVM, "--data", data)) {
            TestClient http = new TestClient(server.awaitPort());
            assertProblem(http.get(app("short")), 404); // the first request: expired before the server answered
            Res longGet = http.get(app("long"));
            assertStatus(longGet, 200);
            assertEquals(
                    longPut.header("Expires"), longGet.header("Expires"), "the deadline came back from the snapshot");
            assertStatus(http.get(app("permanent")), 200);
            // the snapshot holds seq 3: the feed's window starts there
            assertEquals(List.of("4 delete short"), feed(http, 3), server.output());
        }

        try (ChildServer server = ChildServer.start(JVM, "--data", data)) {
            TestClient http = new TestClient(server.awaitPort());
            assertProblem(http.get(app("short")), 404);
            assertEquals(List.of("4 delete short"), feed(http, 3), "expired once, not again at the next start");
        }
    }

    /** The changes after {@code since} as "seq op name". */
    private static List<String> feed(TestClient http, long since) {
        Res res = http.get("/api/changes?since=" + since);
        assertStatus(res, 200);
        List<String> changes = new ArrayList<>();
        for (JsonValue v : res.json().asJsonObject().getJsonArray("results")) {
            JsonObject c = v.asJsonObject();
            changes.add(c.getJsonNumber("seq") + " " + c.getString("op") + " " + c.getString("name"));
        }
        return changes;
    }
}
