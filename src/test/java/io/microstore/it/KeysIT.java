package io.microstore.it;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.microstore.testing.TestClient;
import io.microstore.testing.TestClient.Res;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static io.microstore.testing.TestClient.assertStatus;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;

/**
 * API keys on the real jar with a data directory: a key made through the API works after kill -9 (its record only
 * in the journal) and after a restart from a snapshot; a revocation survives kill -9 too. The data directory never
 * holds the secret, only its SHA-256.
 */
@Timeout(300)
class KeysIT {
    private static final List<String> JVM = List.of("-Xmx128m", "-XX:TieredStopAtLevel=1");
    private static final String ADMIN = "keys-it-admin-secret";
    private static final Map<String, String> ENV = Map.of("MICROSTORE_TOKEN", ADMIN);

    /** Every byte of every file under {@code dir}, as ISO-8859-1 text. */
    private static String everyFile(Path dir) throws java.io.IOException {
        StringBuilder all = new StringBuilder();
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(dir)) {
            for (Path f : files.filter(java.nio.file.Files::isRegularFile).toList()) {
                all.append(
                        new String(java.nio.file.Files.readAllBytes(f), java.nio.charset.StandardCharsets.ISO_8859_1));
            }
        }
        return all.toString();
    }

    private static String[] auth(String secret) {
        return new String[] {"Authorization", "Bearer " + secret};
    }

    @Test
    void anApiKeyAndItsRevocationSurviveKill9AndARestartFromASnapshot(@TempDir Path dir) throws Exception {
        String data = dir.resolve("data").toString();
        String secret;
        try (ChildServer server = ChildServer.start(ENV, JVM, "--data", data)) {
            TestClient http = new TestClient(server.awaitPort());
            Res made = http.send(
                    "POST",
                    "/api/keys",
                    "{\"id\":\"ci\",\"rules\":[{\"prefix\":\"team/\",\"access\":\"write\"}]}",
                    "Content-Type",
                    "application/json",
                    "Authorization",
                    "Bearer " + ADMIN);
            assertStatus(made, 201);
            secret = made.json().asJsonObject().getString("secret");
            assertStatus(http.putApp("team/x", "1", auth(secret)), 204);
            server.kill9();
        }
        try (ChildServer server = ChildServer.start(ENV, JVM, "--data", data)) {
            TestClient http = new TestClient(server.awaitPort());
            assertStatus(http.putApp("team/x", "2", auth(secret)), 204);
            assertStatus(http.putApp("other", "2", auth(secret)), 403);
            assertStatus(http.send("POST", "/api/admin/compact", "", auth(ADMIN)), 200); // the key in a snapshot now
            server.terminate();
        }
        assertThat(everyFile(Path.of(data)), not(containsString(secret)));
        try (ChildServer server = ChildServer.start(ENV, JVM, "--data", data)) {
            TestClient http = new TestClient(server.awaitPort());
            assertStatus(http.get("/api/apps/team/x", auth(secret)), 200);
            assertStatus(http.send("DELETE", "/api/keys/ci", (String) null, auth(ADMIN)), 204);
            assertStatus(http.get("/api/apps/team/x", auth(secret)), 401);
            server.kill9();
        }
        try (ChildServer server = ChildServer.start(ENV, JVM, "--data", data)) {
            TestClient http = new TestClient(server.awaitPort());
            assertStatus(http.get("/api/apps/team/x", auth(secret)), 401);
            assertStatus(http.get("/api/apps/team/x", auth(ADMIN)), 200);
        }
    }
}
