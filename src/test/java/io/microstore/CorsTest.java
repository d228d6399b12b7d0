package io.microstore;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.helidon.common.media.type.MediaTypes;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.microstore.store.Store;
import io.microstore.testing.ServerTestBase;
import io.microstore.testing.Stores;
import io.microstore.testing.TestClient;
import io.microstore.testing.TestClient.Res;
import io.microstore.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.microstore.testing.TestClient.assertStatus;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

/**
 * CORS by config: this class's server allows one origin ({@code cors.allow-origins}); a second
 * server without the setting must answer no CORS at all; {@link Cors#from} reads a comma-separated
 * string as well as a YAML list.
 */
class CorsTest extends ServerTestBase {
    private static final String ORIGIN = "https://app.example.com";
    private static final String OTHER = "https://evil.example.org";

    @Override
    protected Map<String, String> settings() {
        return Map.of("cors.allow-origins", ORIGIN);
    }

    // --- the allowed origin ---------------------------------------------------------------------

    @Test
    void preflightOfAConditionalPutFromTheAllowedOriginIsAllowed() {
        // the way browsers send it (Fetch: lower case, sorted, joined by a bare comma)
        Res res = preflight("/api/apps/cors-put", ORIGIN, "PUT", "authorization,content-type,if-match,if-none-match");
        assert2xx(res);
        assertThat(res.describe(), res.header("Access-Control-Allow-Origin"), is(ORIGIN));
        assertThat(res.describe(), lowerCaseList(res, "Access-Control-Allow-Methods"), hasItems("put"));
        assertThat(
                res.describe(),
                lowerCaseList(res, "Access-Control-Allow-Headers"),
                hasItems("authorization", "content-type", "if-match", "if-none-match"));
    }

    @Test
    void preflightWithHeaderNamesInTheirUsualCaseIsAllowedToo() {
        Res res = preflight("/api/apps/cors-put", ORIGIN, "PUT", "If-Match, Content-Type");
        assert2xx(res);
        assertThat(res.describe(), res.header("Access-Control-Allow-Origin"), is(ORIGIN));
        assertThat(
                res.describe(),
                lowerCaseList(res, "Access-Control-Allow-Headers"),
                hasItems("if-match", "content-type"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET", "HEAD", "PUT", "PATCH", "DELETE", "POST"})
    void preflightOfEveryMethodOfTheApiIsAllowed(String method) {
        String path = method.equals("POST") ? "/api/import" : "/api/apps/cors-" + method.toLowerCase(Locale.ROOT);
        Res res = preflight(path, ORIGIN, method, "content-type");
        assert2xx(res);
        assertThat(res.describe(), res.header("Access-Control-Allow-Origin"), is(ORIGIN));
        assertThat(
                res.describe(),
                lowerCaseList(res, "Access-Control-Allow-Methods"),
                hasItems(method.toLowerCase(Locale.ROOT)));
    }

    @Test
    void anActualGetFromTheAllowedOriginExposesEtagLinkAndLocation() {
        assertStatus(http.putApp("cors-get", "1"), 204);
        Res res = http.get("/api/apps/cors-get", "Origin", ORIGIN);
        assertStatus(res, 200);
        assertThat(res.describe(), res.header("Access-Control-Allow-Origin"), is(ORIGIN));
        assertThat(
                res.describe(),
                lowerCaseList(res, "Access-Control-Expose-Headers"),
                hasItems("etag", "link", "location"));
        assertThat(res.text(), is("{\"name\":\"cors-get\",\"data\":1}"));
    }

    @Test
    void aQueryFromTheAllowedOriginExposesItsCountSeqAndPlan() {
        Res res = http.get("/api/apps?limit=0&count=exact", "Origin", ORIGIN);
        assertStatus(res, 200);
        assertThat(
                res.describe(),
                lowerCaseList(res, "Access-Control-Expose-Headers"),
                hasItems("x-total-count", "query-seq", "query-plan"));
    }

    @Test
    void anActualPutFromTheAllowedOriginIsAllowedAndExposesTheEtag() {
        Res res = http.putApp("cors-actual-put", "2", "Origin", ORIGIN);
        assertStatus(res, 204);
        assertThat(res.describe(), res.header("Access-Control-Allow-Origin"), is(ORIGIN));
        assertThat(res.describe(), lowerCaseList(res, "Access-Control-Expose-Headers"), hasItems("etag"));
        assertThat(res.describe(), res.header("ETag"), startsWith("\""));
    }

    @Test
    void aRequestWithoutOriginGetsNoCorsHeaders() {
        Res res = http.get("/api/apps");
        assertStatus(res, 200);
        assertThat(res.describe(), corsHeaders(res), is(empty()));
    }

    // --- other origins and methods --------------------------------------------------------------

    @Test
    void preflightFromAnotherOriginIsRefusedWithoutAllowOrigin() {
        Res res = preflight("/api/apps/cors-put", OTHER, "PUT", "if-match");
        assertThat(res.describe(), res.header("Access-Control-Allow-Origin"), is(nullValue()));
        assertStatus(res, 403);
    }

    @Test
    void anActualGetFromAnotherOriginHasNoAllowOrigin() {
        assertStatus(http.putApp("cors-other", "1"), 204);
        Res res = http.get("/api/apps/cors-other", "Origin", OTHER);
        assertThat(res.describe(), res.header("Access-Control-Allow-Origin"), is(nullValue()));
        // Answered, but without CORS headers the browser keeps it from the other origin's page. (Not
        // refused: browsers send Origin on same-origin writes too, e.g. from the Swagger UI.)
        assertStatus(res, 200);
        assertThat(res.describe(), res.header("Access-Control-Expose-Headers"), is(nullValue()));
    }

    @Test
    void preflightForAMethodTheApiDoesNotHaveIsRefused() {
        Res res = preflight("/api/apps/cors-put", ORIGIN, "TRACE", "");
        assertThat(res.describe(), res.header("Access-Control-Allow-Origin"), is(nullValue()));
    }

    @Test
    void preflightForAHeaderThatIsNotAllowedIsRefused() {
        Res res = preflight("/api/apps/cors-put", ORIGIN, "PUT", "x-custom-secret");
        assertThat(res.describe(), res.header("Access-Control-Allow-Origin"), is(nullValue()));
    }

    // --- without cors.allow-origins -------------------------------------------------------------

    @Test
    void withoutTheSettingThereAreNoCorsHeadersAtAll() throws IOException {
        try (Store plain = Stores.memory();
                TestServer server = TestServer.start(plain)) {
            TestClient other = server.http();
            Res pre = other.send(
                    "OPTIONS",
                    "/api/apps/x",
                    (byte[]) null,
                    "Origin",
                    ORIGIN,
                    "Access-Control-Request-Method",
                    "PUT",
                    "Access-Control-Request-Headers",
                    "if-match,content-type");
            assertThat(pre.describe(), corsHeaders(pre), is(empty()));
            assertThat(pre.describe(), pre.status(), lessThan(500));

            assertStatus(other.putApp("x", "1", "Origin", ORIGIN), 204);
            Res get = other.get("/api/apps/x", "Origin", ORIGIN);
            assertStatus(get, 200);
            assertThat(get.describe(), corsHeaders(get), is(empty()));
        }
    }

    // --- cors.allow-origins, read by Settings ----------------------------------------------------------------------

    @Test
    void noSettingAnEmptyStringAndOnlyCommasMeanNoCors() {
        assertThat(origins(TestServer.config()), is(empty()));
        assertThat(origins(TestServer.config("cors.allow-origins", "")), is(empty()));
        assertThat(origins(TestServer.config("cors.allow-origins", " , ,")), is(empty()));
        assertThat(origins(yaml("cors:\n  allow-origins: []\n")), is(empty()));
    }

    @Test
    void aCommaSeparatedStringAllowsEachOriginInIt() {
        Config config = TestServer.config("cors.allow-origins", " https://a.example.com ,http://localhost:5173,");
        assertAllows(origins(config), "https://a.example.com", "http://localhost:5173");
    }

    @Test
    void aYamlListAllowsEachOriginInIt() {
        Config config = yaml("""
                cors:
                  allow-origins:
                    - https://a.example.com
                    - " http://localhost:5173 "
                """);
        assertAllows(origins(config), "https://a.example.com", "http://localhost:5173");
    }

    @Test
    void aYamlFlowListWorksToo() {
        assertAllows(
                origins(yaml("cors:\n  allow-origins: [https://a.example.com, https://b.example.com]\n")),
                "https://a.example.com",
                "https://b.example.com");
    }

    /** How Helidon spells a list in properties and environment variables: -Dcors.allow-origins.0=... */
    @Test
    void anIndexedListFromPropertiesWorksToo() {
        assertAllows(
                origins(TestServer.config(
                        "cors.allow-origins.0",
                        "https://a.example.com",
                        "cors.allow-origins.1",
                        "https://b.example.com")),
                "https://a.example.com",
                "https://b.example.com");
    }

    private static void assertAllows(Set<String> allowed, String... origins) {
        assertThat(allowed, is(Set.of(origins)));
    }

    private static Set<String> origins(Config config) {
        return Settings.from(config).corsOrigins();
    }

    private static Config yaml(String text) {
        return Config.just(
                ConfigSources.create(text, MediaTypes.APPLICATION_X_YAML), ConfigSources.classpath("application.yaml"));
    }

    private Res preflight(String path, String origin, String method, String headers) {
        return headers.isEmpty()
                ? http.send("OPTIONS", path, (byte[]) null, "Origin", origin, "Access-Control-Request-Method", method)
                : http.send(
                        "OPTIONS",
                        path,
                        (byte[]) null,
                        "Origin",
                        origin,
                        "Access-Control-Request-Method",
                        method,
                        "Access-Control-Request-Headers",
                        headers);
    }

    private static void assert2xx(Res res) {
        assertThat(res.describe(), res.status() / 100, is(2));
    }

    /** The comma-separated values of a header (all its lines), trimmed and in lower case. */
    private static List<String> lowerCaseList(Res res, String header) {
        return res.headers(header).stream()
                .flatMap(v -> Arrays.stream(v.split(",")))
                .map(v -> v.trim().toLowerCase(Locale.ROOT))
                .filter(v -> !v.isEmpty())
                .toList();
    }

    private static List<String> corsHeaders(Res res) {
        return res.headers().map().keySet().stream()
                .filter(h -> h.toLowerCase(Locale.ROOT).startsWith("access-control-"))
                .toList();
    }
}
