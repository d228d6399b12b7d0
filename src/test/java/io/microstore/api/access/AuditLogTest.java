package io.microstore.api.access;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;

import io.microstore.Settings;
import io.microstore.local.LocalEngine;
import io.microstore.persist.MemoryPersistence;
import io.microstore.store.Store;
import io.microstore.testing.Eventually;
import io.microstore.testing.ServerTestBase;
import io.microstore.testing.Stores;
import io.microstore.testing.TestClient;
import io.microstore.testing.TestClient.Res;
import io.microstore.testing.TestClock;
import io.microstore.testing.TestServer;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@code security.audit-log} over HTTP: a battery of requests with a bearer secret, right and wrong, from
 * two client addresses (127.0.0.1 and 127.0.0.2) to a server with {@code security.token} and
 * {@code security.max-failures: 3}; then the log's lines are read: one per /api request, each with its
 * client, method, route, name, decision and status, and neither the log nor {@code /observe/metrics} holds
 * the secret in any spelling a request carried. Time is the store's {@link TestClock}, so each line's time
 * is known.
 */
class AuditLogTest extends ServerTestBase {
    private static final String SECRET = "audit-S3cret-9f2c71";
    private static final String RIGHT = "Bearer " + SECRET;
    private static final HttpClient FROM_2 = FailedAuthLimitTest.clientAt("127.0.0.2");
    private static final Set<String> MEMBERS =
            Set.of("time", "client", "key", "method", "route", "name", "decision", "status");

    @TempDir
    Path dir;

    @Override
    protected Store openStore() throws IOException {
        return Store.open(new LocalEngine(new MemoryPersistence(), Stores.LOCAL, new TestClock()), FEED);
    }

    @Test
    void aBatteryLeavesOneLinePerApiRequestAndTheSecretNowhere() throws Exception {
        Path log = dir.resolve("audit.log");
        TestServer audited = startServer(
                "security.token", SECRET, "security.max-failures", "3", "security.audit-log", log.toString());
        TestClient http = audited.http();
        List<Res> api = new ArrayList<>(); // each answered and its line written before the next is sent
        String basic = "Basic " + Base64.getEncoder().encodeToString(("u:" + SECRET).getBytes(StandardCharsets.UTF_8));
        // right secret: every kind of request, and some that fail for other reasons (400, 404)
        add(api, log, http.putApp("team%2Fx", "{\"v\":1}", "Authorization", RIGHT));
        add(api, log, http.get("/api/apps/team%2Fx", "Authorization", RIGHT));
        add(api, log, http.patch("team/x", TestClient.MERGE, "{\"data\":{\"w\":2}}", "Authorization", RIGHT));
        add(api, log, http.get("/api/apps?prefix=team/&include=data", "Authorization", RIGHT));
        add(
                api,
                log,
                http.send(
                        "POST",
                        "/api/txn",
                        "[{\"op\":\"put\",\"name\":\"t\",\"data\":1}]",
                        "Content-Type",
                        TestClient.JSON,
                        "Authorization",
                        RIGHT));
        add(api, log, http.get("/api/changes?since=0", "Authorization", RIGHT));
        add(api, log, http.get("/api/export", "Authorization", RIGHT));
        add(
                api,
                log,
                http.send(
                        "PUT",
                        "/api/indexes/by-v",
                        "{\"paths\":[\"/v\"]}",
                        "Content-Type",
                        TestClient.JSON,
                        "Authorization",
                        RIGHT));
        add(
                api,
                log,
                http.send(
                        "PUT", "/api/apps/bad", "{\"data\":", "Content-Type", TestClient.JSON, "Authorization", RIGHT));
        add(api, log, http.get("/api/apps/missing", "Authorization", RIGHT));
        add(api, log, http.delete("t", "Authorization", RIGHT));
        // wrong: the secret in other spellings and schemes, none of which may be written anywhere
        add(api, log, http.get("/api/apps/a", "Authorization", "Bearer " + SECRET + "x"));
        add(api, log, http.get("/api/apps/a", "Authorization", "Bearer " + SECRET.toUpperCase()));
        add(api, log, http.get("/api/apps/a", "Authorization", basic));
        add(api, log, http.get("/api/apps/a", "Authorization", "Token " + SECRET));
        add(api, log, http.get("/api/apps/a?token=" + SECRET.substring(0, 6))); // no header: counted, not refused
        // 127.0.0.2 guesses until it is limited; the right secret is then refused there too
        for (int i = 0; i < 3; i++) {
            add(api, log, http.send(FROM_2, "GET", "/api/apps/a", null, "Authorization", "Bearer " + SECRET + i));
        }
        add(api, log, http.send(FROM_2, "GET", "/api/apps/a", null, "Authorization", RIGHT));
        http.get("/api/schema", "Authorization", RIGHT); // under /api, logged too
        int lines = api.size() + 1;
        http.get("/observe/health", "Authorization", RIGHT); // not /api: not logged
        List<JsonObject> audit = awaitLines(log, lines);

        String text = Files.readString(log);
        String metrics = http.get("/observe/metrics", "Accept", "text/plain").text();
        for (String spelling : List.of(SECRET, SECRET.toUpperCase(), basic.substring(6), SECRET.substring(0, 6))) {
            assertThat("audit log holds " + spelling, text, not(containsString(spelling)));
            assertThat("metrics hold " + spelling, metrics, not(containsString(spelling)));
        }
        assertThat(metrics, containsString("microstore_audit_dropped_total"));

        for (int i = 0; i < api.size(); i++) {
            JsonObject line = audit.get(i);
            assertThat(line.toString(), MEMBERS.containsAll(line.keySet()), is(true));
            assertThat(line.toString(), line.getString("time"), is("2026-01-01T00:00:00.250Z"));
            assertThat(line.toString(), line.getInt("status"), is(api.get(i).status()));
            // the token is the admin key "token"; a refused secret names no key
            int status = api.get(i).status();
            assertThat(
                    line.toString(),
                    line.get("key"),
                    is(status == 401 || status == 429 ? JsonValue.NULL : Json.createValue("token")));
        }
        assertLine(audit.get(0), "127.0.0.1", "PUT", "/api/apps/{name}", "team/x", "allowed", 204);
        assertLine(audit.get(1), "127.0.0.1", "GET", "/api/apps/{name}", "team/x", "allowed", 200);
        assertLine(audit.get(3), "127.0.0.1", "GET", "/api/apps", null, "allowed", 200);
        assertLine(audit.get(4), "127.0.0.1", "POST", "/api/txn", null, "allowed", 200);
        assertLine(audit.get(7), "127.0.0.1", "PUT", "/api/indexes/{id}", "by-v", "allowed", 201);
        assertLine(audit.get(8), "127.0.0.1", "PUT", "/api/apps/{name}", "bad", "allowed", 400);
        assertLine(audit.get(9), "127.0.0.1", "GET", "/api/apps/{name}", "missing", "allowed", 404);
        assertLine(audit.get(11), "127.0.0.1", "GET", "/api/apps/{name}", "a", "unauthenticated", 401);
        assertLine(audit.get(15), "127.0.0.1", "GET", "/api/apps/{name}", "a", "unauthenticated", 401);
        assertLine(audit.get(18), "127.0.0.2", "GET", "/api/apps/{name}", "a", "unauthenticated", 401);
        assertLine(audit.get(19), "127.0.0.2", "GET", "/api/apps/{name}", "a", "limited", 429);
        assertLine(audit.get(20), "127.0.0.1", "GET", "/api/schema", null, "allowed", 200);
    }

    /** The key id KeyAuth resolves is what a line names, also on a refusal; a key's 403 is denied. */
    @Test
    void theResolvedKeyIdIsLoggedAndADenialIsDenied() throws Exception {
        Path log = dir.resolve("keys.log");
        TestClient http = startServer("security.token", SECRET, "security.audit-log", log.toString())
                .http();
        Res made = http.send(
                "POST",
                "/api/keys",
                "{\"id\":\"ci\",\"rules\":[{\"prefix\":\"team/\",\"access\":\"write\"}]}",
                "Content-Type",
                TestClient.JSON,
                "Authorization",
                RIGHT);
        TestClient.assertStatus(made, 201);
        String ci = made.json().asJsonObject().getString("secret");
        http.get("/api/apps/team%2Fx", "Authorization", "Bearer " + ci); // may read it; it does not exist
        http.get("/api/apps/other", "Authorization", "Bearer " + ci);
        http.get("/api/export", "Authorization", "Bearer " + ci); // an admin route
        List<JsonObject> audit = awaitLines(log, 4);
        assertThat(audit.get(0).getString("key"), is("token"));
        assertLine(audit.get(0), "127.0.0.1", "POST", "/api/keys", null, "allowed", 201);
        assertThat(audit.get(1).getString("key"), is("ci"));
        assertLine(audit.get(1), "127.0.0.1", "GET", "/api/apps/{name}", "team/x", "allowed", 404);
        assertThat(audit.get(2).getString("key"), is("ci"));
        assertLine(audit.get(2), "127.0.0.1", "GET", "/api/apps/{name}", "other", "denied", 403);
        assertThat(audit.get(3).getString("key"), is("ci"));
        assertLine(audit.get(3), "127.0.0.1", "GET", "/api/export", null, "denied", 403);
        assertThat(Files.readString(log), not(containsString(ci)));
        assertThat(Files.readString(log), not(containsString(SECRET)));
    }

    @Test
    void onceTheServerHasStoppedEveryLineIsInTheFile() throws IOException {
        Path log = dir.resolve("stop.log");
        TestServer audited = startServer("security.audit-log", log.toString());
        for (int i = 0; i < 50; i++) {
            audited.http().putApp("s" + i, "1");
        }
        audited.close();
        assertThat(Files.readAllLines(log).size(), is(50));
    }

    @Test
    void linesAreAppendedToAnExistingFile() throws Exception {
        Path log = dir.resolve("append.log");
        Files.writeString(log, "{\"earlier\":true}\n");
        try (TestServer audited = startServer("security.audit-log", log.toString())) {
            audited.http().get("/api/apps");
            List<JsonObject> lines = awaitLines(log, 2);
            assertThat(lines.get(0).getBoolean("earlier"), is(true));
            assertThat(lines.get(1).getString("route"), is("/api/apps"));
        }
    }

    @Test
    void offByDefaultAndAFileThatCannotBeOpenedStopsTheStart() {
        assertThat(Settings.defaults().guard().auditLog().isPresent(), is(false));
        UncheckedIOException e =
                assertThrows(UncheckedIOException.class, () -> startServer("security.audit-log", dir.toString()));
        assertThat(e.getMessage(), containsString("security.audit-log"));
    }

    private static void assertLine(
            JsonObject line, String client, String method, String route, String name, String decision, int status) {
        assertThat(line.toString(), line.getString("client"), is(client));
        assertThat(line.toString(), line.getString("method"), is(method));
        assertThat(line.toString(), line.getString("route"), is(route));
        assertThat(line.toString(), line.containsKey("name") ? line.getString("name") : null, is(name));
        assertThat(line.toString(), line.getString("decision"), is(decision));
        assertThat(line.toString(), line.getInt("status"), is(status));
    }

    /**
     * Adds {@code res} and waits for its line: a line is recorded once its request is answered, so the next
     * request's line could otherwise come first, and the lines are compared with the answers in order.
     */
    private static void add(List<Res> api, Path log, Res res) throws InterruptedException {
        api.add(res);
        awaitLines(log, api.size());
    }

    /** Waits until the log has {@code count} lines (the writer works behind the requests), then parses them. */
    private static List<JsonObject> awaitLines(Path log, int count) throws InterruptedException {
        Eventually.await("audit log lines: " + count, () -> lines(log).size() >= count);
        List<String> lines = lines(log);
        assertThat(String.join("\n", lines), lines.size(), is(count));
        return lines.stream()
                .map(l -> Json.createReader(new StringReader(l)).readObject())
                .toList();
    }

    private static List<String> lines(Path log) {
        try {
            return Files.exists(log) ? Files.readAllLines(log) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
