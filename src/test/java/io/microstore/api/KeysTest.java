package io.microstore.api;

import java.io.IOException;
import java.net.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.microstore.testing.Eventually;
import io.microstore.testing.ServerTestBase;
import io.microstore.testing.SseStream;
import io.microstore.testing.TestClient;
import io.microstore.testing.TestClient.Res;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.microstore.testing.TestClient.assertProblem;
import static io.microstore.testing.TestClient.assertStatus;
import static io.microstore.testing.TestClient.encode;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

/**
 * Scoped keys over real HTTP, on the engine the suite runs on (both): a server with {@code security.token} (the
 * admin key {@code token}) makes keys through {@code POST /api/keys}, and each test uses them. Authentication (401),
 * prefixes and rules (403), no existence oracle, no leak through listings, counts, roll-ups, queries, the feed
 * (poll, long-poll, SSE, resume, live queries), transactions and the admin routes; revocation ends a stream and a
 * long-poll at once.
 */
class KeysTest extends ServerTestBase {
    private static final String ADMIN = "admin-Secret_0123456789";
    private static final String CHALLENGE = "Bearer realm=\"microstore\"";
    private static final String[] JSON = {"Content-Type", "application/json"};

    @Override
    protected Map<String, String> settings() {
        return Map.of("security.token", ADMIN);
    }

    /** The API's keys of an earlier test are revoked: each test makes its own. */
    @BeforeEach
    void noApiKeys() {
        for (JsonValue k : admin(http.get("/api/keys", auth(ADMIN))).json().asJsonArray()) {
            JsonObject key = k.asJsonObject();
            if (key.getString("source").equals("api")) {
                assertStatus(del("/api/keys/" + key.getString("id"), auth(ADMIN)), 204);
            }
        }
        for (String name : List.of("team/x", "team2/x", "other/exists", "team/secrets/s", "team/a/1", "team/b/2")) {
            assertStatus(http.putApp(name, "{\"v\":\"" + name + "\"}", auth(ADMIN)), 204);
        }
    }

    private static Res admin(Res res) {
        assertStatus(res, 200);
        return res;
    }

    private static String[] auth(String secret) {
        return new String[] {"Authorization", "Bearer " + secret};
    }

    private static String[] with(String[] a, String... b) {
        String[] all = new String[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    /** Makes key {@code id} with {@code rules} (JSON) through the API; its secret. */
    private String makeKey(String id, String rules) {
        Res made = http.send(
                "POST", "/api/keys", "{\"id\":\"" + id + "\",\"rules\":" + rules + "}", with(JSON, auth(ADMIN)));
        assertStatus(made, 201);
        assertThat(made.header("Location"), is("/api/keys/" + id));
        JsonObject body = made.json().asJsonObject();
        assertThat(body.getString("id"), is(id));
        return body.getString("secret");
    }

    private String teamKey() {
        return makeKey(
                "team",
                "[{\"prefix\":\"team/\",\"access\":\"write\"},{\"prefix\":\"team/secrets/\",\"access\":\"deny\"}]");
    }

    private String value(String name) {
        Res res = http.get(TestClient.app(name), auth(ADMIN));
        return res.status() == 200 ? res.text() : String.valueOf(res.status());
    }

    private Res del(String path, String... headers) {
        return http.send("DELETE", path, (String) null, headers);
    }

    /** {@code {"data":1}} sent to {@code path} as it is (no encoding by the client). */
    private Res raw(String method, String path, String secret) {
        return http.send(method, path, "{\"data\":1}", with(JSON, auth(secret)));
    }

    private static void assert401(Res res) {
        assertProblem(res, 401);
        assertThat(res.describe(), res.header("WWW-Authenticate"), is(CHALLENGE));
    }

    // ---- 1. authentication

    @Test
    void everyMissingMalformedUnknownOrRevokedCredentialIs401AndChangesNothing() {
        String secret = teamKey();
        String wrong = (secret.charAt(0) == 'A' ? "B" : "A") + secret.substring(1); // the right length
        String revoked = makeKey("gone", "[{\"prefix\":\"team/\",\"access\":\"write\"}]");
        assertStatus(del("/api/keys/gone", auth(ADMIN)), 204);
        String rotatedOld = makeKey("rotated", "[{\"prefix\":\"team/\",\"access\":\"write\"}]");
        assertStatus(del("/api/keys/rotated", auth(ADMIN)), 204);
        String rotatedNew = makeKey("rotated", "[{\"prefix\":\"team/\",\"access\":\"write\"}]");
        List<String[]> refused = List.of(
                new String[0],
                new String[] {"Authorization", "Bearer"},
                new String[] {"Authorization", "Bearer "},
                new String[] {"Authorization", "Basic " + secret},
                new String[] {"Authorization", secret},
                auth(wrong),
                auth("no-such-key"),
                auth(revoked),
                auth(rotatedOld));
        String before = value("team/x");
        for (String[] headers : refused) {
            assert401(http.get("/api/apps/team/x", headers));
            assert401(http.send("PUT", "/api/apps/team/x", "{\"data\":\"changed\"}", with(JSON, headers)));
            assert401(http.delete("team/x", headers));
            assert401(http.get("/api/apps", headers));
            assert401(http.get("/api/changes?since=0", headers));
        }
        assertThat(value("team/x"), is(before));
        // every 401 is the same sentence: it says nothing of which case it was, and holds no secret
        Res unknown = http.get("/api/apps/team/x", auth("no-such-key"));
        Res revokedOne = http.get("/api/apps/team/x", auth(revoked));
        assertThat(unknown.text(), is(revokedOne.text()));
        assertThat(unknown.text(), not(containsString("no-such-key")));
        assertStatus(http.get("/api/apps/team/x", auth(rotatedNew)), 200);
        assertStatus(http.get("/api/apps/team/x", auth(secret)), 200);
    }

    @Test
    void aKeyDeletedWhileOthersUseItIsRefusedOnItsNextRequest() {
        String secret = teamKey();
        for (int i = 0; i < 5; i++) {
            assertStatus(http.putApp("team/x", "{\"i\":" + i + "}", auth(secret)), 204);
        }
        assertStatus(del("/api/keys/team", auth(ADMIN)), 204);
        assert401(http.putApp("team/x", "{\"i\":99}", auth(secret)));
        assertThat(value("team/x"), containsString("\"i\":4"));
    }

    // ---- 2. prefixes and rules

    @Test
    void theLongestPrefixDecidesAndNoRuleMeansNoAccess() {
        String secret = teamKey();
        for (String name : List.of("team2/x", "tea", "team", "other/exists", "teаm/x" /* Cyrillic а */)) {
            assertProblem(http.get(TestClient.app(name), auth(secret)), 403);
            assertProblem(http.put(name, "{\"data\":{}}", auth(secret)), 403);
            assertProblem(http.delete(name, auth(secret)), 403);
        }
        assertStatus(http.putApp("team/new", "{\"ok\":1}", auth(secret)), 204);
        assertStatus(http.get("/api/apps/team/new", auth(secret)), 200);
        assertStatus(http.patch("team/new", TestClient.MERGE, "{\"data\":{\"b\":2}}", auth(secret)), 200);
        assertStatus(http.delete("team/new", auth(secret)), 204);
        // deny under write: the longer prefix wins; a name beside it is the write rule's
        assertProblem(http.get("/api/apps/team/secrets/s", auth(secret)), 403);
        assertProblem(http.putApp("team/secrets/t", "{}", auth(secret)), 403);
        assertStatus(http.putApp("team/secrets", "{}", auth(secret)), 204);
        assertStatus(http.putApp("team/secretsX", "{}", auth(secret)), 204);
        assertThat(value("team/secrets/t"), is("404"));
    }

    @Test
    void atEqualLengthDenyBeatsWriteBeatsRead() {
        String both = makeKey(
                "both", "[{\"prefix\":\"team/\",\"access\":\"read\"},{\"prefix\":\"team/\",\"access\":\"write\"}]");
        assertStatus(http.putApp("team/x", "{}", auth(both)), 204);
        String denied = makeKey(
                "denied", "[{\"prefix\":\"team/\",\"access\":\"deny\"},{\"prefix\":\"team/\",\"access\":\"write\"}]");
        assertProblem(http.get("/api/apps/team/x", auth(denied)), 403);
    }

    @Test
    void theEmptyPrefixIsEveryNameAndReadIsNotWrite() {
        String reader = makeKey("reader", "[{\"prefix\":\"\",\"access\":\"read\"}]");
        assertStatus(http.get("/api/apps/other/exists", auth(reader)), 200);
        assertStatus(http.get("/api/apps/nothing-here", auth(reader)), 404); // readable: 404 is no oracle
        assertProblem(http.putApp("other/exists", "{}", auth(reader)), 403);
        assertProblem(http.delete("nothing-here", auth(reader)), 403);
        assertStatus(http.get("/api/apps", auth(reader)), 200);
        String none = makeKey("none", "[]");
        assertProblem(http.get("/api/apps/other/exists", auth(none)), 403);
        assertProblem(http.get("/api/apps", auth(none)), 403);
    }

    @Test
    void encodedSlashesDotsAndSemicolonsAreTheNamesOwnCharacters() {
        String secret = teamKey();
        assertStatus(raw("PUT", "/api/apps/team%2Fenc", secret), 204);
        assertThat(value("team/enc"), containsString("\"data\":1"));
        assertProblem(raw("PUT", "/api/apps/team2%2Fx", secret), 403);
        // a name is a string, not a path: team/../x stays under team/ and reaches nothing outside it
        assertStatus(raw("PUT", "/api/apps/team/%2E%2E/x", secret), 204);
        assertThat(value("team/../x"), containsString("\"data\":1"));
        assertThat(value("x"), is("404"));
        // raw dot segments and ; are normalised by routing: refused as such, never read as another app
        assertProblem(raw("PUT", "/api/apps/team/../team2/x", secret), 400);
        assertProblem(raw("PUT", "/api/apps/team%3Bx", secret), 403);
        assertStatus(raw("PUT", "/api/apps/team/a%3Bb", secret), 204);
        assertThat(value("team/a;b"), containsString("\"data\":1"));
        assertThat(value("team2/x"), containsString("team2/x"));
    }

    // ---- 3. no existence oracle

    @ParameterizedTest
    @ValueSource(strings = {"GET", "HEAD", "PUT", "PATCH", "DELETE", "WATCH"})
    void anUnreadableNameGetsByteIdenticalAnswersWhetherOrNotItExists(String method) {
        String secret = makeKey("reads-team", "[{\"prefix\":\"team/\",\"access\":\"read\"}]");
        assertThat(value("other/exists"), not(is("404")));
        assertThat(value("other/absent"), is("404"));
        Res exists = probe(method, "other/exists", secret);
        Res absent = probe(method, "other/absent", secret);
        assertThat(exists.describe(), exists.status(), is(403));
        assertThat(exists.describe(), exists.status(), is(absent.status()));
        assertThat(exists.describe(), headersBut(exists.headers()), is(headersBut(absent.headers())));
        assertThat(exists.describe(), exists.text(), is(absent.text()));
    }

    private Res probe(String method, String name, String secret) {
        String path = TestClient.app(name);
        return switch (method) {
            case "PUT" -> http.put(name, "{\"data\":1}", auth(secret));
            case "PATCH" -> http.patch(name, TestClient.MERGE, "{\"data\":{\"a\":1}}", auth(secret));
            case "WATCH" -> http.get(path + "?wait=5", with(auth(secret), "If-None-Match", "\"1\""));
            default -> http.send(method, path, (String) null, auth(secret));
        };
    }

    /** The headers but Date, which differs by the second. */
    private static Map<String, List<String>> headersBut(HttpHeaders headers) {
        Map<String, List<String>> all = new TreeMap<>(headers.map());
        all.remove("date");
        return all;
    }

    // ---- 4. no leaks

    @Test
    void listingsCountsRollupsAndQueriesShowOnlyReadableNames() {
        String secret = teamKey();
        assertThat(names(http.get("/api/apps", auth(secret))), is(List.of("team/a/1", "team/b/2", "team/x")));
        Res counted = http.get("/api/apps?count=exact&limit=1", auth(secret));
        assertThat(counted.header("X-Total-Count"), is("3"));
        assertThat(names(counted), is(List.of("team/a/1")));
        Res next = http.get(TestClient.next(counted), auth(secret));
        assertThat(names(next), is(List.of("team/b/2")));
        assertThat(
                http.get("/api/apps?prefix=team/&delimiter=/", auth(secret)).text(),
                is("[{\"prefix\":\"team/a/\"},{\"prefix\":\"team/b/\"},{\"name\":\"team/x\"}]"));
        assertThat(http.get("/api/apps?delimiter=/", auth(secret)).text(), is("[{\"prefix\":\"team/\"}]"));
        String where = encode("{\"/v\":{\"$exists\":true}}");
        Res queried = http.get("/api/apps?count=exact&where=" + where, auth(secret));
        assertThat(queried.header("X-Total-Count"), is("3"));
        assertThat(names(queried), is(List.of("team/a/1", "team/b/2", "team/x")));
        Res posted = http.send(
                "POST",
                "/api/query",
                "{\"where\":{\"/v\":\"other/exists\"},\"count\":\"exact\"}",
                with(JSON, auth(secret)));
        assertThat(posted.header("X-Total-Count"), is("0"));
        assertThat(posted.text(), is("[]"));
        // a prefix the key cannot read at all
        assertProblem(http.get("/api/apps?prefix=other/", auth(secret)), 403);
        assertProblem(http.get("/api/apps?prefix=team/secrets/", auth(secret)), 403);
        assertProblem(http.get("/api/apps?prefix=other/&where=" + where, auth(secret)), 403);
        assertProblem(http.send("POST", "/api/query", "{\"prefix\":\"other/\"}", with(JSON, auth(secret))), 403);
        assertStatus(http.get("/api/apps?prefix=tea", auth(secret)), 200); // team/ is under it
    }

    private static List<String> names(Res res) {
        assertStatus(res, 200);
        List<String> names = new ArrayList<>();
        for (JsonValue v : res.json().asJsonArray()) {
            names.add(v.asJsonObject().getString("name"));
        }
        return names;
    }

    @Test
    void theFeedShowsOnlyReadableChangesPolledResumedAndLive() throws Exception {
        String secret = teamKey();
        long since = store.lastSeq();
        assertStatus(http.putApp("other/exists", "{\"v\":2}", auth(ADMIN)), 204);
        assertStatus(http.putApp("team/x", "{\"v\":2}", auth(ADMIN)), 204);
        assertStatus(http.putApp("team/secrets/s", "{\"v\":2}", auth(ADMIN)), 204);
        assertStatus(
                http.send(
                        "POST",
                        "/api/txn",
                        "[{\"op\":\"put\",\"name\":\"team/y\",\"data\":1},{\"op\":\"put\",\"name\":\"team2/y\",\"data\":1}]",
                        with(JSON, auth(ADMIN))),
                200);
        JsonObject page = http.get("/api/changes?since=" + since + "&include=data", auth(secret))
                .json()
                .asJsonObject();
        assertThat(changed(page), is(List.of("team/x", "team/y")));
        assertThat(page.getJsonNumber("last_seq").longValue(), is(store.lastSeq()));
        JsonObject limited = http.get("/api/changes?limit=1&since=" + since, auth(secret))
                .json()
                .asJsonObject();
        assertThat(changed(limited), is(List.of("team/x")));
        JsonObject resumed = http.get("/api/changes?since=" + limited.getJsonNumber("last_seq"), auth(secret))
                .json()
                .asJsonObject();
        assertThat(changed(resumed), is(List.of("team/y")));
        String where = encode("{\"/v\":2}");
        JsonObject live = http.get("/api/changes?since=" + since + "&where=" + where, auth(secret))
                .json()
                .asJsonObject();
        assertThat(changed(live), is(List.of("team/x")));
        assertProblem(http.get("/api/changes?prefix=other/", auth(secret)), 403);
        assertProblem(http.get("/api/changes?prefix=team/secrets/", auth(secret)), 403);

        try (SseStream sse = SseStream.open(http.uri(), "/api/changes?since=" + since, 0, 10_000, auth(secret))) {
            assertThat(sse.status(), is(200));
            assertThat(sse.nextEvent().data(), containsString("\"name\":\"team/x\""));
            assertThat(sse.nextEvent().data(), containsString("\"name\":\"team/y\""));
            assertStatus(http.putApp("other/exists", "{\"v\":3}", auth(ADMIN)), 204);
            assertStatus(http.putApp("team/z", "{\"v\":3}", auth(ADMIN)), 204);
            assertThat(sse.nextEvent().data(), containsString("\"name\":\"team/z\""));
        }
    }

    private static List<String> changed(JsonObject page) {
        List<String> names = new ArrayList<>();
        for (JsonValue v : page.getJsonArray("results")) {
            names.add(v.asJsonObject().getString("name"));
        }
        return names;
    }

    @Test
    void aLongPollIsNotWokenByAnUnreadableChange() throws Exception {
        String secret = teamKey();
        long since = store.lastSeq();
        Thread writer = Thread.ofVirtual().start(() -> {
            try {
                awaitWaiting(1);
                assertStatus(http.putApp("other/exists", "{\"v\":9}", auth(ADMIN)), 204);
                assertStatus(http.putApp("team/x", "{\"v\":9}", auth(ADMIN)), 204);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Res polled = http.get("/api/changes?wait=30&since=" + since, auth(secret));
        writer.join();
        assertThat(changed(polled.json().asJsonObject()), is(List.of("team/x")));
    }

    @Test
    void aTransactionWithOneForbiddenOperationOfAnyKindIs403WithItsIndexAndWritesNothing() {
        String secret = teamKey();
        String before = value("team/x");
        for (String op : List.of(
                "{\"op\":\"put\",\"name\":\"team2/x\",\"data\":1}",
                "{\"op\":\"patch\",\"name\":\"team2/x\",\"merge\":{\"a\":1}}",
                "{\"op\":\"delete\",\"name\":\"team2/x\"}",
                "{\"op\":\"check\",\"name\":\"other/absent\",\"if_none_match\":\"*\"}",
                "{\"op\":\"check\",\"name\":\"team/secrets/s\",\"if_match\":\"*\"}")) {
            Res res = http.send(
                    "POST",
                    "/api/txn",
                    "[{\"op\":\"put\",\"name\":\"team/x\",\"data\":\"changed\"}," + op + "]",
                    with(JSON, auth(secret)));
            JsonObject problem = assertProblem(res, 403);
            assertThat(res.describe(), problem.getInt("index"), is(1));
        }
        assertThat(value("team/x"), is(before));
        assertStatus(
                http.send(
                        "POST",
                        "/api/txn",
                        "[{\"op\":\"check\",\"name\":\"team/x\",\"if_match\":\"*\"},"
                                + "{\"op\":\"put\",\"name\":\"team/y\",\"data\":2}]",
                        with(JSON, auth(secret))),
                200);
    }

    @Test
    void theAdminRoutesNeedAnAdminKey() {
        String secret = makeKey("all-write", "[{\"prefix\":\"\",\"access\":\"write\"}]");
        String[] admin = with(JSON, auth(secret));
        for (Res res : List.of(
                http.get("/api/export", auth(secret)),
                http.send(
                        "POST",
                        "/api/import",
                        "{\"name\":\"i\",\"data\":1}\n",
                        "Content-Type",
                        "application/x-ndjson",
                        "Authorization",
                        "Bearer " + secret),
                http.get("/api/indexes", auth(secret)),
                http.send("PUT", "/api/indexes/v", "{\"paths\":[\"/v\"]}", admin),
                http.send("POST", "/api/admin/compact", "", auth(secret)),
                http.get("/api/keys", auth(secret)),
                http.get("/api/keys/all-write", auth(secret)),
                http.send("POST", "/api/keys", "{\"id\":\"mine\",\"admin\":true}", admin),
                del("/api/keys/all-write", auth(secret)))) {
            assertProblem(res, 403);
            assertThat(res.describe(), res.text(), not(containsString(secret)));
        }
        assertThat(value("i"), is("404"));
        JsonObject self = http.get("/api/keys/self", auth(secret)).json().asJsonObject();
        assertThat(self.getString("id"), is("all-write"));
        assertThat(self.getBoolean("admin"), is(false));
        assertThat(self.getJsonArray("rules").getJsonObject(0).getString("access"), is("write"));
    }

    // ---- the keys API

    @Test
    void theKeysApiShowsIdsAndRulesNeverSecretsOrHashes() {
        String secret = teamKey();
        String listed = http.get("/api/keys", auth(ADMIN)).text();
        assertThat(listed, not(containsString(secret)));
        assertThat(listed, not(containsString(io.microstore.store.Keys.sha256(secret))));
        assertThat(listed, not(containsString(ADMIN)));
        JsonArray all = http.get("/api/keys", auth(ADMIN)).json().asJsonArray();
        assertThat(all.getJsonObject(0).getString("id"), is("token"));
        assertThat(all.getJsonObject(0).getString("source"), is("config"));
        assertThat(all.getJsonObject(0).getBoolean("admin"), is(true));
        JsonObject team = http.get("/api/keys/team", auth(ADMIN)).json().asJsonObject();
        assertThat(team.getString("source"), is("api"));
        assertThat(team.getJsonArray("rules").size(), is(2));
        assertThat(team.getJsonArray("rules").getJsonObject(1).getString("access"), is("deny"));
        assertThat(team.containsKey("secret"), is(false));
        assertProblem(http.get("/api/keys/nope", auth(ADMIN)), 404);
        assertProblem(del("/api/keys/nope", auth(ADMIN)), 404);
        assertProblem(del("/api/keys/token", auth(ADMIN)), 409);
        assertProblem(http.send("POST", "/api/keys", "{\"id\":\"team\"}", with(JSON, auth(ADMIN))), 409);
        assertProblem(http.send("POST", "/api/keys", "{\"id\":\"token\"}", with(JSON, auth(ADMIN))), 409);
        for (String bad : List.of(
                "{\"id\":\"self\"}",
                "{\"id\":\"-x\"}",
                "{\"id\":\"a/b\"}",
                "{\"id\":\"\"}",
                "{\"id\":\"" + "x".repeat(65) + "\"}",
                "{\"id\":\"ok\",\"rules\":[{\"prefix\":\"a\",\"access\":\"all\"}]}",
                "{\"id\":\"ok\",\"rules\":[{\"prefix\":1,\"access\":\"read\"}]}",
                "{\"id\":\"ok\",\"rules\":{}}",
                "{\"id\":\"ok\",\"admin\":\"yes\"}",
                "{\"id\":\"ok\",\"secret\":\"mine\"}",
                "[]",
                "{")) {
            assertProblem(http.send("POST", "/api/keys", bad, with(JSON, auth(ADMIN))), 400);
        }
        assertThat(value("ok"), is("404"));
        JsonObject self = http.get("/api/keys/self", auth(ADMIN)).json().asJsonObject();
        assertThat(self.getString("id"), is("token"));
        assertThat(self.getBoolean("admin"), is(true));
        assertThat(self.containsKey("source"), is(false));
        assertThat(secret.length(), is(43)); // 256 bits, URL-safe base64 without padding
        assertThat(secret.matches("[A-Za-z0-9_-]{43}"), is(true));
    }

    // ---- revocation

    @Test
    void revokingAKeyEndsItsOpenStreamAndItsLongPollAtOnce() throws Exception {
        String secret = teamKey();
        try (SseStream sse =
                SseStream.open(http.uri(), "/api/changes?since=" + store.lastSeq(), 0, 10_000, auth(secret))) {
            assertThat(sse.status(), is(200));
            assertStatus(http.putApp("team/x", "{\"v\":1}", auth(ADMIN)), 204);
            assertThat(sse.nextEvent().data(), containsString("team/x"));
            Res[] longPoll = new Res[1];
            Thread poll = Thread.ofVirtual()
                    .start(() -> longPoll[0] = http.get("/api/changes?wait=60&since=" + store.lastSeq(), auth(secret)));
            awaitWaiting(2);
            long start = System.nanoTime();
            assertStatus(del("/api/keys/team", auth(ADMIN)), 204);
            // the stream ends (the body's end, well before the 10 s read timeout) and says nothing more
            assertThat(sse.nextEvent(), is(nullValue()));
            poll.join();
            assert401(longPoll[0]);
            assertThat((System.nanoTime() - start) / 1_000_000 < 5_000, is(true));
        }
        assertStatus(http.putApp("team/x", "{\"v\":2}", auth(ADMIN)), 204);
        assert401(http.get("/api/changes?since=0", auth(secret)));
        Eventually.await("no client left on the feed", () -> store.feed().subscribers() == 0);
    }

    @Test
    void revokingAKeyEndsItsWatchOnAnAppAtOnce() throws Exception {
        String secret = teamKey();
        String etag = http.get("/api/apps/team/x", auth(secret)).header("ETag");
        Res[] watched = new Res[1];
        Thread watch = Thread.ofVirtual()
                .start(() ->
                        watched[0] = http.get("/api/apps/team/x?wait=60", with(auth(secret), "If-None-Match", etag)));
        awaitWaiting(1);
        long start = System.nanoTime();
        assertStatus(del("/api/keys/team", auth(ADMIN)), 204);
        watch.join();
        assert401(watched[0]);
        assertThat((System.nanoTime() - start) / 1_000_000 < 5_000, is(true));
    }

    @Test
    void aStreamOfAValidKeyLivesOnWhenAnotherKeyIsRevoked() throws IOException, InterruptedException {
        String secret = teamKey();
        makeKey("other", "[]");
        try (SseStream sse =
                SseStream.open(http.uri(), "/api/changes?since=" + store.lastSeq(), 0, 10_000, auth(secret))) {
            awaitWaiting(1);
            assertStatus(del("/api/keys/other", auth(ADMIN)), 204);
            assertStatus(http.putApp("team/x", "{\"v\":7}", auth(ADMIN)), 204);
            assertThat(sse.nextEvent().data(), containsString("team/x"));
        }
    }
}
