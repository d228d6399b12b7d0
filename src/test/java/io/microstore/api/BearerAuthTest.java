package io.microstore.api;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.stream.Stream;

import io.microstore.store.Command;
import io.microstore.store.Precondition;
import io.microstore.testing.ServerTestBase;
import io.microstore.testing.TestClient;
import io.microstore.testing.TestClient.Res;
import io.microstore.testing.TestServer;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import static io.microstore.testing.TestClient.assertProblem;
import static io.microstore.testing.TestClient.assertStatus;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

/**
 * The optional bearer token of {@code /api}, over HTTP against servers wired by {@code Main.setup}:
 * one without a token, one with {@code security.token} (and CORS, for preflights), one with
 * {@code security.public-read: true}. All share one store. The {@code MICROSTORE_TOKEN} fallback is
 * in {@code OperationsIT}: environment variables cannot be set in-process.
 */
class BearerAuthTest extends ServerTestBase {
    private static final String TOKEN = "s3cret-Token_42";
    private static final String BEARER = "Bearer " + TOKEN;
    private static final String ORIGIN = "https://app.example.com";
    private static final String CHALLENGE = "Bearer realm=\"microstore\"";
    private TestClient open;
    private TestClient secured;
    private TestClient publicRead;

    /** The class's server is the one without a token; the two others share its store. */
    @BeforeAll
    void startTheOtherServers() {
        open = http;
        secured = startServer("security.token", TOKEN, "cors.allow-origins", ORIGIN)
                .http();
        publicRead = startServer("security.token", TOKEN, "security.public-read", "true")
                .http();
    }

    /** One app, "a", written directly (not through the API under test). */
    @BeforeEach
    void oneApp() {
        store.execute(new Command.Put("a", "{\"x\":1}".getBytes(StandardCharsets.UTF_8), Precondition.NONE));
    }

    /** Every /api route and method, with a request that succeeds when authorized, and its status. */
    static Stream<Arguments> apiRoutes() {
        String ndjson = "application/x-ndjson";
        return Stream.of(
                Arguments.of("GET", "/api/apps", null, null, 200),
                Arguments.of("HEAD", "/api/apps", null, null, 200),
                Arguments.of("GET", "/api/apps/a", null, null, 200),
                Arguments.of("HEAD", "/api/apps/a", null, null, 200),
                Arguments.of("PUT", "/api/apps/b", "{\"data\":2}", "application/json", 204),
                Arguments.of("PATCH", "/api/apps/a", "{\"data\":{\"y\":2}}", "application/merge-patch+json", 200),
                Arguments.of("DELETE", "/api/apps/a", null, null, 204),
                Arguments.of("GET", "/api/changes?since=0", null, null, 200),
                Arguments.of("GET", "/api/export", null, null, 200),
                Arguments.of("HEAD", "/api/export", null, null, 200),
                Arguments.of("POST", "/api/import", "{\"name\":\"c\",\"data\":3}\n", ndjson, 200),
                Arguments.of("POST", "/api/admin/compact", null, null, 200));
    }

    // --- no token configured --------------------------------------------------------------------

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("apiRoutes")
    void withoutATokenConfiguredEveryRouteIsOpen(String method, String path, String body, String type, int status) {
        assertStatus(send(open, method, path, body, type), status);
    }

    @Test
    void withoutATokenConfiguredAnAuthorizationHeaderIsIgnored() {
        assertStatus(open.get("/api/apps/a", "Authorization", "Bearer whatever"), 200);
        assertStatus(open.get("/api/apps/a", "Authorization", "Basic dTpw"), 200);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   "})
    void anEmptyOrBlankTokenSettingMeansNoToken(String token) {
        try (TestServer server = startServer("security.token", token)) {
            assertStatus(server.http().get("/api/apps/a"), 200);
            assertStatus(server.http().putApp("blank", "1"), 204);
        }
    }

    // --- token configured: refused --------------------------------------------------------------

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("apiRoutes")
    void withoutTheHeaderEveryApiRouteIs401WithTheChallenge(
            String method, String path, String body, String type, int ignored) {
        Res res = send(secured, method, path, body, type);
        assertStatus(res, 401);
        assertThat(res.describe(), res.header("WWW-Authenticate"), is(CHALLENGE));
        if (!method.equals("HEAD")) {
            JsonObject problem = assertProblem(res, 401);
            assertThat(problem.getString("detail"), containsString("Authorization: Bearer"));
        }
        assertUnchanged();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "Bearer wrong",
                "Bearer s3cret-Token_4", // a prefix
                "Bearer s3cret-Token_42x", // longer
                "Bearer S3CRET-TOKEN_42", // the token is case-sensitive
                "Bearer ",
                "Bearer",
                "Bearer" + TOKEN, // no space
                "Bearer \"s3cret-Token_42\"",
                ""
            })
    void aWrongTokenIs401(String authorization) {
        Res res = secured.putApp("wrong", "1", "Authorization", authorization);
        assertProblem(res, 401);
        assertThat(res.describe(), res.header("WWW-Authenticate"), is(CHALLENGE));
        assertThat(res.describe(), res.text(), not(containsString(TOKEN)));
        assertStatus(secured.get("/api/apps/a", "Authorization", authorization), 401);
        assertUnchanged();
    }

    @ParameterizedTest
    @ValueSource(strings = {"Basic ", "Token ", "Digest ", "", "Bearer: ", "MAC "})
    void aWrongSchemeIs401(String scheme) {
        String credentials = scheme.equals("Basic ")
                ? Base64.getEncoder().encodeToString(("user:" + TOKEN).getBytes(StandardCharsets.UTF_8))
                : TOKEN;
        Res res = secured.get("/api/apps/a", "Authorization", scheme + credentials);
        assertProblem(res, 401);
        assertThat(res.describe(), res.header("WWW-Authenticate"), is(CHALLENGE));
    }

    // --- token configured: allowed --------------------------------------------------------------

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("apiRoutes")
    void theRightTokenWorksOnEveryApiRoute(String method, String path, String body, String type, int status) {
        Res res = send(secured, method, path, body, type, "Authorization", BEARER);
        assertStatus(res, status);
        assertThat(res.describe(), res.header("WWW-Authenticate"), is(nullValue()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"bearer ", "BEARER ", "Bearer  "})
    void theSchemeIsCaseInsensitiveAndSpacesAroundTheTokenDoNotMatter(String scheme) {
        assertStatus(secured.get("/api/apps/a", "Authorization", scheme + TOKEN), 200);
        assertStatus(secured.get("/api/apps/a", "Authorization", "Bearer " + TOKEN + " "), 200);
    }

    @Test
    void aTokenSettingWithSpacesAroundIsTrimmed() {
        try (TestServer server = startServer("security.token", "  " + TOKEN + "\t")) {
            assertStatus(server.http().get("/api/apps/a"), 401);
            assertStatus(server.http().get("/api/apps/a", "Authorization", BEARER), 200);
        }
    }

    // --- routes that stay open ------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"/api/schema", "/openapi", "/observe/health", "/observe/metrics"})
    void schemaOpenapiAndObserveNeedNoToken(String path) {
        Res res = secured.get(path);
        assertStatus(res, 200);
        assertThat(res.describe(), res.header("WWW-Authenticate"), is(nullValue()));
    }

    @Test
    void theRootRedirectNeedsNoToken() {
        assertStatus(secured.get("/"), 302);
    }

    @Test
    void aCorsPreflightPassesWithoutTheToken() {
        Res res = secured.send(
                "OPTIONS",
                "/api/apps/a",
                (byte[]) null,
                "Origin",
                ORIGIN,
                "Access-Control-Request-Method",
                "PUT",
                "Access-Control-Request-Headers",
                "authorization, if-match");
        assertThat(res.describe(), res.status() / 100, is(2));
        assertThat(res.describe(), res.header("Access-Control-Allow-Origin"), is(ORIGIN));
        assertThat(
                res.describe(),
                res.header("Access-Control-Allow-Headers").toLowerCase(),
                containsString("authorization"));
    }

    @Test
    void aPlainOptionsPassesWithoutTheTokenAndAnswersAllow() {
        Res res = secured.send("OPTIONS", "/api/export", (byte[]) null);
        assertStatus(res, 204);
        assertThat(res.describe(), res.header("Allow"), is("OPTIONS, GET, HEAD"));
    }

    @Test
    void anActualCrossOriginRequestStillNeedsTheToken() {
        Res refused = secured.get("/api/apps/a", "Origin", ORIGIN);
        assertStatus(refused, 401);
        // so that the browser lets the page see the 401
        assertThat(refused.describe(), refused.header("Access-Control-Allow-Origin"), is(ORIGIN));
        Res res = secured.get("/api/apps/a", "Origin", ORIGIN, "Authorization", BEARER);
        assertStatus(res, 200);
        assertThat(res.describe(), res.header("Access-Control-Allow-Origin"), is(ORIGIN));
    }

    /** Spellings of an /api path that the server may normalize must not skip the check. */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "//api/apps/a",
                "/api//apps/a",
                "/./api/apps/a",
                "/x/../api/apps/a",
                "/%61pi/apps/a",
                "/api/apps/../apps/a",
                "/api/%61pps/a",
                "/api/schema/../apps/a",
                "/api/schema/"
            })
    void otherSpellingsOfAnApiPathDoNotSkipTheCheck(String path) {
        Res res = secured.get(path);
        assertThat(res.describe(), res.status(), not(is(200)));
        assertThat(res.describe(), res.text(), not(containsString("\"x\":1")));
    }

    // --- security.public-read -------------------------------------------------------------------

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("apiRoutes")
    void withPublicReadGetAndHeadPassAndEverythingElseNeedsTheToken(
            String method, String path, String body, String type, int status) {
        Res without = send(publicRead, method, path, body, type);
        // public-read is a read rule on every name; export is an admin route, and needs the token as writes do
        if ((method.equals("GET") || method.equals("HEAD")) && !path.equals("/api/export")) {
            assertStatus(without, status);
        } else {
            assertStatus(without, 401);
            assertThat(without.describe(), without.header("WWW-Authenticate"), is(CHALLENGE));
            assertUnchanged();
            assertStatus(send(publicRead, method, path, body, type, "Authorization", BEARER), status);
        }
    }

    @Test
    void withPublicReadAWrongTokenOnAGetIs401() {
        // a credential that is sent is checked: a client with a wrong or revoked one learns it at once
        Res wrong = publicRead.get("/api/apps/a", "Authorization", "Bearer wrong");
        assertStatus(wrong, 401);
        assertThat(wrong.describe(), wrong.header("WWW-Authenticate"), is(CHALLENGE));
    }

    private static Res send(TestClient http, String method, String path, String body, String type, String... auth) {
        String[] headers = type == null ? auth : concat(new String[] {"Content-Type", type}, auth);
        return http.send(method, path, body, headers);
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = new String[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    /** A refused request wrote nothing: still just "a" with its value. */
    private void assertUnchanged() {
        assertThat(store.size(), is(1));
        assertThat(new String(store.get("a").data(), StandardCharsets.UTF_8), is("{\"x\":1}"));
    }
}
