package io.microstore.it;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.microstore.persist.JournalPersistence;
import io.microstore.store.Store;
import io.microstore.testing.Stores;
import io.microstore.testing.TestClient;
import io.microstore.testing.TestClient.Res;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Running it for real: --import of the old service's db.json, the exposure warning, the access log, MICROSTORE_TOKEN. */
class OperationsIT {
    private static final String ACCESS_LOG = "io.helidon.webserver.AccessLog";
    private static final String EXPOSED = "without a token: anyone who can reach this port";

    /** The old service's db.json: Python's json, ASCII only; "dup" twice (document 10 is the later one). */
    private static final String DB_JSON = "{\"_default\": {}, \"apps\": {"
            + "\"10\": {\"key\": \"dup\", \"value\": {\"from\": 10}}, "
            + "\"1\": {\"key\": \"a\", \"value\": {\"color\": \"blue\", \"n\": [1, 2.5, null]}}, "
            + "\"2\": {\"key\": \"dup\", \"value\": {\"from\": 2}}, "
            + "\"3\": {\"key\": \"with space\", \"value\": \"\\u00fc\\ud83d\\ude00\"}}, "
            + "\"users\": {\"1\": {\"name\": \"not an app\"}}}";

    @Test
    void importLoadsTheOldServicesFileRefusesToOverwriteAndOverwritesWhenTold(@TempDir Path tmp) throws Exception {
        Path db = Files.writeString(tmp.resolve("db.json"), DB_JSON);
        Path data = tmp.resolve("data");

        try (ChildServer server = ChildServer.start(List.of(), "--data", data.toString(), "--import", db.toString())) {
            assertTrue(server.output().contains("imported 3 apps from " + db), server.output());
            TestClient http = new TestClient(server.awaitPort());
            assertEquals(
                    "{\"name\":\"a\",\"data\":{\"color\":\"blue\",\"n\":[1,2.5,null]}}",
                    http.get("/api/apps/a").text());
            assertEquals(
                    "{\"name\":\"dup\",\"data\":{\"from\":10}}",
                    http.get("/api/apps/dup").text());
            // values keep their text as the old service wrote it, escapes included (the same string)
            assertEquals(
                    "{\"name\":\"with space\",\"data\":\"\\u00fc\\ud83d\\ude00\"}",
                    http.get("/api/apps/with%20space").text());
            assertEquals(404, http.get("/api/apps/not%20an%20app").status());
            assertEquals(204, http.putApp("a", "\"changed\"").status());
            assertEquals(0, server.terminate(), server.output());
            // by default: on loopback no warning, and no access log
            assertFalse(server.output().contains(EXPOSED), server.output());
            assertFalse(server.output().contains(ACCESS_LOG), server.output());
            assertFalse(server.output().contains("\"PUT /api/apps/a HTTP/1.1\""), server.output());
        }

        ChildServer again = ChildServer.launch(List.of(), "--data", data.toString(), "--import", db.toString());
        assertNotEquals(0, again.waitFor(), again.output());
        String refusal = again.output();
        assertTrue(refusal.contains("refused"), refusal);
        assertTrue(refusal.contains("3 of the names exist already"), refusal);
        assertTrue(refusal.contains("a, dup, with space"), refusal);
        assertFalse(refusal.contains("microstore listening"), refusal);
        try (Store store = Stores.open(JournalPersistence.open(Stores.journal(data)))) {
            assertEquals("\"changed\"", new String(store.get("a").data(), StandardCharsets.UTF_8));
            assertEquals("{\"from\":10}", new String(store.get("dup").data(), StandardCharsets.UTF_8));
            assertEquals(3, store.size());
        }

        try (ChildServer server =
                ChildServer.start(List.of(), "--data", data.toString(), "--import", db.toString(), "--overwrite")) {
            assertTrue(server.output().contains("imported 3 apps from " + db), server.output());
            TestClient http = new TestClient(server.awaitPort());
            assertEquals(
                    "{\"name\":\"a\",\"data\":{\"color\":\"blue\",\"n\":[1,2.5,null]}}",
                    http.get("/api/apps/a").text());
            assertEquals(0, server.terminate(), server.output());
        }
    }

    @Test
    void aMissingImportFileExitsNonZeroNamingIt(@TempDir Path tmp) throws Exception {
        Path missing = tmp.resolve("missing.json");
        ChildServer server = ChildServer.launch(List.of(), "--import", missing.toString());
        assertNotEquals(0, server.waitFor(), server.output());
        assertTrue(server.output().contains(missing.toString()), server.output());
        assertFalse(server.output().contains("microstore listening"), server.output());
    }

    @Test
    void listeningOnAllInterfacesWithoutATokenWarns() throws Exception {
        try (ChildServer server = ChildServer.start(List.of(), "--host", "0.0.0.0")) {
            assertEquals(
                    200, new TestClient(server.awaitPort()).get("/api/apps").status());
            assertTrue(server.output().contains("listening on 0.0.0.0 " + EXPOSED), server.output());
        }
    }

    @Test
    void withATokenThereIsNoWarningAndWithTheAccessLogEnabledEveryRequestIsLogged() throws Exception {
        try (ChildServer server = ChildServer.start(
                List.of("-Dsecurity.token=prop-token", "-Dserver.features.access-log.enabled=true"),
                "--host",
                "0.0.0.0")) {
            TestClient http = new TestClient(server.awaitPort());
            assertEquals(401, http.get("/api/apps").status());
            assertEquals(
                    200,
                    http.get("/api/apps", "Authorization", "Bearer prop-token").status());
            assertEquals(
                    404,
                    http.get("/api/apps/nope", "Authorization", "Bearer prop-token")
                            .status());
            assertEquals(0, server.terminate(), server.output());
            String out = server.output();
            assertFalse(out.contains(EXPOSED), out);
            assertTrue(out.contains(ACCESS_LOG), out);
            assertTrue(out.contains("\"GET /api/apps HTTP/1.1\" 200"), out);
            assertTrue(out.contains("\"GET /api/apps/nope HTTP/1.1\" 404"), out);
            // the refused request is logged with the status the client got
            assertTrue(out.contains("\"GET /api/apps HTTP/1.1\" 401"), out);
        }
    }

    @Test
    void theMicrostoreTokenEnvironmentVariableProtectsTheApi() throws Exception {
        try (ChildServer server =
                ChildServer.start(Map.of("MICROSTORE_TOKEN", "env-token"), List.of(), "--host", "0.0.0.0")) {
            TestClient http = new TestClient(server.awaitPort());
            Res without = http.get("/api/apps");
            assertEquals(401, without.status(), without.describe());
            assertEquals("Bearer realm=\"microstore\"", without.header("WWW-Authenticate"));
            assertEquals(
                    401, http.get("/api/apps", "Authorization", "Bearer wrong").status());
            assertEquals(
                    200,
                    http.get("/api/apps", "Authorization", "Bearer env-token").status());
            assertEquals(200, http.get("/api/schema").status());
            assertEquals(0, server.terminate(), server.output());
            assertFalse(server.output().contains(EXPOSED), server.output());
        }
    }
}
