package io.microstore.api;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import io.microstore.store.Names;
import io.microstore.testing.ServerTestBase;
import io.microstore.testing.TestClient;
import io.microstore.testing.TestClient.Res;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import static io.microstore.testing.TestClient.app;
import static io.microstore.testing.TestClient.assertProblem;
import static io.microstore.testing.TestClient.assertStatus;
import static io.microstore.testing.TestClient.next;
import static io.microstore.testing.TestClient.quote;
import static io.microstore.testing.TestClient.seq;
import static io.microstore.testing.TestClient.utf8;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;

/** The {@code /api/apps} and {@code /api/schema} API over real HTTP, against a server wired by {@link io.microstore.testing.TestServer#setup}. */
class AppsServiceTest extends ServerTestBase {
    /** Small enough to test 413 cheaply, large enough for 1024-byte names and 900-level nesting. */
    private static final int MAX_PAYLOAD = 16384;

    @Override
    protected Map<String, String> settings() {
        return Map.of("server.max-payload-size", String.valueOf(MAX_PAYLOAD));
    }

    // --- the old service's own suite ----------------------------------------------------------

    @Test
    void emptyListIsAnEmptyArray() {
        Res res = get("/api/apps");
        assertJson(res, 200, "[]");
    }

    @Test
    void putThenGetReturnsNameAndData() {
        assertStatus(put("base-get", "{\"data\": {\"color\": \"blue\", \"retries\": 3}}"), 204);
        assertJson(get(app("base-get")), 200, "{\"name\":\"base-get\",\"data\":{\"color\":\"blue\",\"retries\":3}}");
    }

    @Test
    void putTwiceReplacesTheValue() {
        put("base-replace", "{\"data\":1}");
        assertStatus(put("base-replace", "{\"data\":[2]}"), 204);
        assertJson(get(app("base-replace")), 200, "{\"name\":\"base-replace\",\"data\":[2]}");
    }

    @Test
    void deleteThenGetIs404() {
        put("base-delete", "{\"data\":1}");
        Res deleted = send("DELETE", app("base-delete"), (byte[]) null);
        assertStatus(deleted, 204);
        assertThat(deleted.body().length, is(0));
        assertProblem(get(app("base-delete")), 404);
    }

    @Test
    void twoPutsThenListReturnsBothNamesSortedByName() {
        put("base-list-b", "{\"data\":\"second\"}");
        put("base-list-a", "{\"data\":\"first\"}");
        assertJson(get("/api/apps"), 200, "[{\"name\":\"base-list-a\"},{\"name\":\"base-list-b\"}]");
    }

    // --- status codes and headers -------------------------------------------------------------

    @Test
    void putAnswers204WithAnEtagThatGetRepeats() {
        Res created = put("etag", "{\"data\":1}");
        assertStatus(created, 204);
        assertThat(created.body().length, is(0));
        String etag = created.header("ETag");
        seq(etag);
        Res read = get(app("etag"));
        assertStatus(read, 200);
        assertThat(read.header("ETag"), is(etag));

        String next = put("etag", "{\"data\":2}").header("ETag");
        assertThat(seq(next), greaterThan(seq(etag)));
        assertThat(get(app("etag")).header("ETag"), is(next));
    }

    @Test
    void headOnAnAppHasTheHeadersOfGetAndNoBody() {
        put("head-app", "{\"data\":{\"x\":\"é\"}}");
        assertHeadLikeGet(app("head-app"));
    }

    @Test
    void headOnTheListHasTheHeadersOfGetAndNoBody() {
        put("head-list-1", "{\"data\":1}");
        put("head-list-2", "{\"data\":2}");
        assertHeadLikeGet("/api/apps");
        assertHeadLikeGet("/api/apps?include=data&limit=1");
    }

    // --- ?consistent -----------------------------------------------------------------------------

    @Test
    void consistentReadsAnswerLikePlainReads() {
        String etag = put("lin", "{\"data\":{\"v\":1}}").header("ETag");
        for (String consistent : List.of("consistent", "consistent=", "consistent=true", "consistent=false")) {
            Res read = get(app("lin") + "?" + consistent);
            assertJson(read, 200, "{\"name\":\"lin\",\"data\":{\"v\":1}}");
            assertThat(read.header("ETag"), is(etag));
            assertJson(get("/api/apps?" + consistent), 200, "[{\"name\":\"lin\"}]");
            assertHeadLikeGet(app("lin") + "?" + consistent);
            assertHeadLikeGet("/api/apps?include=data&" + consistent);
        }
        assertProblem(get(app("absent") + "?consistent"), 404);
        assertStatus(http.get(app("lin") + "?consistent", "If-None-Match", etag), 304);
    }

    @Test
    void aConsistentListCarriesTheParameterIntoTheNextLink() {
        put("lin-a", "{\"data\":1}");
        put("lin-b", "{\"data\":2}");
        Res page = get("/api/apps?consistent&limit=1");
        assertJson(page, 200, "[{\"name\":\"lin-a\"}]");
        assertThat(page.header("Link"), containsString("consistent&"));
        assertJson(get(TestClient.next(page)), 200, "[{\"name\":\"lin-b\"}]");
    }

    @ParameterizedTest
    @ValueSource(strings = {"consistent=yes", "consistent=1", "consistent=TRUE", "consistent=true&consistent=false"})
    void aBadConsistentParameterIs400(String query) {
        put("lin-bad", "{\"data\":1}");
        for (String path : List.of(app("lin-bad"), "/api/apps")) {
            Res res = get(path + "?" + query);
            assertProblem(res, 400);
            assertThat(res.text(), containsString("consistent"));
        }
    }

    private void assertHeadLikeGet(String path) {
        Res get = get(path);
        Res head = send("HEAD", path, (byte[]) null);
        assertThat(head.status(), is(get.status()));
        assertThat(head.body().length, is(0));
        assertThat(get.header("Content-Length"), is(String.valueOf(get.body().length)));
        assertThat(head.header("Content-Length"), is(get.header("Content-Length")));
        assertThat(head.header("Content-Type"), is(get.header("Content-Type")));
        assertThat(head.header("ETag"), is(get.header("ETag")));
        assertThat(head.header("Link"), is(get.header("Link")));
    }

    @Test
    void headOfAMissingAppIs404WithoutBody() {
        Res head = send("HEAD", app("head-missing"), (byte[]) null);
        assertStatus(head, 404);
        assertThat(head.body().length, is(0));
    }

    @Test
    void deleteOfAMissingAppIs204() {
        Res res = send("DELETE", app("never-existed"), (byte[]) null);
        assertStatus(res, 204);
        assertThat(res.body().length, is(0));
        assertJson(get("/api/apps"), 200, "[]");
    }

    @Test
    void conditionalRequestsUseTheEtag() {
        String etag = put("cond", "{\"data\":1}").header("ETag");
        Res notModified = send("GET", app("cond"), (byte[]) null, "If-None-Match", etag);
        assertStatus(notModified, 304);
        assertThat(notModified.header("ETag"), is(etag));
        assertStatus(send("GET", app("cond"), (byte[]) null, "If-None-Match", "\"0\""), 200);

        for (String[] condition :
                List.of(new String[] {"If-Match", "\"0\""}, new String[] {"If-None-Match", "*"}, new String[] {
                    "If-None-Match", etag
                })) {
            Res refused = send("PUT", app("cond"), utf8("{\"data\":2}"), condition);
            assertProblem(refused, 412);
            assertThat(refused.header("ETag"), is(etag));
        }
        assertProblem(send("DELETE", app("cond"), (byte[]) null, "If-Match", "\"0\""), 412);
        assertJson(get(app("cond")), 200, "{\"name\":\"cond\",\"data\":1}");
        assertThat(get(app("cond")).header("ETag"), is(etag));

        assertStatus(send("PUT", app("cond"), utf8("{\"data\":3}"), "If-Match", etag), 204);
        assertProblem(send("PUT", app("cond-missing"), utf8("{\"data\":1}"), "If-Match", "*"), 412);
        assertStatus(send("PUT", app("cond-missing"), utf8("{\"data\":1}"), "If-None-Match", "*"), 204);
        assertProblem(send("PUT", app("cond"), utf8("{\"data\":4}"), "If-Match", "not-a-tag"), 400);
    }

    // --- exact round trip of values -----------------------------------------------------------

    static Stream<String> values() {
        return Stream.of(
                "123456789012345678901234567890",
                "-123456789012345678901234567890.123456789012345678901234567890e-999",
                "1e300",
                "-0.5e-10",
                "0",
                "-0",
                "1E+2",
                "\"é 日本 😀\"",
                "\"\\u0000\\n\\\"\\\\\"",
                "\"\\u00e9\\uD83D\\uDE00\\/\\b\\f\\r\\t\"",
                "\"\"",
                "null",
                "false",
                "true",
                "[]",
                "{}",
                "[1,\"two\",[3],{\"four\":4},null,true,false,1.5]",
                "{\"a\":{\"b\":{\"c\":[{\"d\":[]}]}},\"\":\"empty name\",\"é\":\"日本\"}",
                "{\"dup\":1,\"dup\":2}",
                "{\"data\":{\"data\":\"data\"}}");
    }

    @ParameterizedTest
    @MethodSource("values")
    void valueRoundTripsExactly(String value) {
        assertStatus(put("round-trip", "{\"data\":" + value + "}"), 204);
        assertJson(get(app("round-trip")), 200, "{\"name\":\"round-trip\",\"data\":" + value + "}");
        assertJson(get("/api/apps?include=data"), 200, "[{\"name\":\"round-trip\",\"data\":" + value + "}]");
    }

    @Test
    void valueComesBackInCompactForm() {
        String sent = "\r\n{ \"data\" :\t[ 1 , { \"x\" : \"y  z\" } , [ ] , { } ] ,\n \"other\" : 0 }\n";
        assertStatus(put("compact", sent), 204);
        assertJson(get(app("compact")), 200, "{\"name\":\"compact\",\"data\":[1,{\"x\":\"y  z\"},[],{}]}");
    }

    @Test
    void nesting900LevelsDeepIsAcceptedAndRoundTrips() {
        String deep = "{\"k\":".repeat(450) + "[".repeat(450) + "\"bottom\"" + "]".repeat(450) + "}".repeat(450);
        assertStatus(put("deep", "{\"data\":" + deep + "}"), 204);
        assertJson(get(app("deep")), 200, "{\"name\":\"deep\",\"data\":" + deep + "}");
    }

    @Test
    void nestingDeeperThan1000LevelsIs400() {
        put("too-deep", "{\"data\":\"before\"}");
        // the body itself is level 1, so data of 1000 levels makes 1001
        assertProblem(put("too-deep", "{\"data\":" + "[".repeat(1000) + "]".repeat(1000) + "}"), 400);
        assertProblem(put("too-deep", "{\"data\":" + "[".repeat(5000) + "]".repeat(5000) + "}"), 400);
        assertJson(get(app("too-deep")), 200, "{\"name\":\"too-deep\",\"data\":\"before\"}");
        assertStatus(put("too-deep", "{\"data\":" + "[".repeat(999) + "]".repeat(999) + "}"), 204);
    }

    // --- bad bodies ---------------------------------------------------------------------------

    static Stream<Arguments> badBodies() {
        return Stream.of(
                Arguments.of("malformed", latin1("{\"data\": 1,,}")),
                Arguments.of("unquoted member name", latin1("{data: 1}")),
                Arguments.of("bad literal", latin1("{\"data\": tru}")),
                Arguments.of("single quotes", latin1("{'data': 1}")),
                Arguments.of("truncated", latin1("{\"data\": {\"a\": [1, 2")),
                Arguments.of("truncated string", latin1("{\"data\": \"abc")),
                Arguments.of("array", latin1("[{\"data\": 1}]")),
                Arguments.of("string", latin1("\"data\"")),
                Arguments.of("number", latin1("42")),
                Arguments.of("null", latin1("null")),
                Arguments.of("object without data", latin1("{\"name\": \"x\", \"value\": 1}")),
                Arguments.of("empty object", latin1("{}")),
                Arguments.of("differently cased data", latin1("{\"Data\": 1}")),
                Arguments.of("empty body", new byte[0]),
                Arguments.of("white space only", latin1("  \n ")),
                Arguments.of("invalid UTF-8 C3 28", latin1("{\"data\": \"\u00c3\u0028\"}")),
                Arguments.of("UTF-8 surrogate ED A0 80", latin1("{\"data\": \"\u00ed\u00a0\u0080\"}")),
                Arguments.of("byte F5", latin1("{\"data\": \"\u00f5\u0080\u0080\u0080\"}")),
                Arguments.of("overlong C0 AF", latin1("{\"data\": \"\u00c0\u00af\"}")),
                Arguments.of("invalid UTF-8 in another member", latin1("{\"x\": \"\u00ff\", \"data\": 1}")),
                Arguments.of("control character in string", latin1("{\"data\": \"a\u0001b\"}")),
                Arguments.of("trailing garbage", latin1("{\"data\": 1} x")),
                Arguments.of("second object", latin1("{\"data\": 1}{\"data\": 2}")),
                Arguments.of("leading zero", latin1("{\"data\": 01}")));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("badBodies")
    void badBodyIs400ProblemAndChangesNothing(String description, byte[] body) {
        Res before = put("bad-body", "{\"data\":{\"kept\":true}}");
        Res res = send("PUT", app("bad-body"), body, "Content-Type", "application/json");
        assertProblem(res, 400);
        Res after = get(app("bad-body"));
        assertJson(after, 200, "{\"name\":\"bad-body\",\"data\":{\"kept\":true}}");
        assertThat(after.header("ETag"), is(before.header("ETag")));
    }

    @Test
    void badBodyDoesNotCreateTheApp() {
        assertProblem(put("bad-new", "{\"data\":"), 400);
        assertProblem(get(app("bad-new")), 404);
    }

    // --- content types ------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(
            strings = {
                "text/plain",
                "application/x-www-form-urlencoded",
                "application/xml",
                "application/json; charset=iso-8859-1"
            })
    void putWithANonJsonContentTypeIs415(String contentType) {
        Res before = put("media", "{\"data\":\"kept\"}");
        Res res = send("PUT", app("media"), utf8("{\"data\":\"new\"}"), "Content-Type", contentType);
        assertProblem(res, 415);
        Res after = get(app("media"));
        assertJson(after, 200, "{\"name\":\"media\",\"data\":\"kept\"}");
        assertThat(after.header("ETag"), is(before.header("ETag")));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "application/json",
                "application/json; charset=utf-8",
                "Application/JSON;charset=UTF-8",
                "application/merge-patch+json",
                "application/vnd.example+json"
            })
    void putWithAJsonContentTypeIsAccepted(String contentType) {
        Res res =
                send("PUT", app("json-type"), utf8("{\"data\":\"" + contentType + "\"}"), "Content-Type", contentType);
        assertStatus(res, 204);
        assertJson(get(app("json-type")), 200, "{\"name\":\"json-type\",\"data\":\"" + contentType + "\"}");
    }

    @Test
    void putWithoutContentTypeIsAccepted() {
        Res res = send("PUT", app("no-type"), utf8("{\"data\":true}"));
        assertStatus(res, 204);
        assertJson(get(app("no-type")), 200, "{\"name\":\"no-type\",\"data\":true}");
    }

    // --- names --------------------------------------------------------------------------------

    @Test
    void slashRawAndEncodedAreTheSameApp() {
        assertStatus(send("PUT", "/api/apps/team/svc/config", utf8("{\"data\":1}")), 204);
        String doc = "{\"name\":\"team/svc/config\",\"data\":1}";
        assertJson(get("/api/apps/team/svc/config"), 200, doc);
        assertJson(get("/api/apps/team%2Fsvc%2Fconfig"), 200, doc);
        assertJson(get("/api/apps/team/svc%2fconfig"), 200, doc);
        assertStatus(send("PUT", "/api/apps/team%2Fsvc%2Fconfig", utf8("{\"data\":2}")), 204);
        assertJson(get("/api/apps/team/svc/config"), 200, "{\"name\":\"team/svc/config\",\"data\":2}");
        assertJson(get("/api/apps"), 200, "[{\"name\":\"team/svc/config\"}]");
        assertStatus(send("DELETE", "/api/apps/team%2Fsvc%2Fconfig", (byte[]) null), 204);
        assertProblem(get("/api/apps/team/svc/config"), 404);
    }

    @Test
    void spacesAndUtf8NamesRoundTripInGetAndList() {
        List<String> names = List.of("with space", "é 日本 😀", "100%", "a+b", "q?x=1#frag", "a\"b\\c", "tab\u00a0nbsp");
        for (String name : names) {
            assertStatus(put(name, "{\"data\":1}"), 204);
            assertJson(get(app(name)), 200, "{\"name\":" + quote(name) + ",\"data\":1}");
        }
        assertJson(get("/api/apps/with%20space"), 200, "{\"name\":\"with space\",\"data\":1}");
        assertJson(
                get("/api/apps/%C3%A9%20%E6%97%A5%E6%9C%AC%20%F0%9F%98%80"), 200, "{\"name\":\"é 日本 😀\",\"data\":1}");
        assertThat(listNames(get("/api/apps")), is(sorted(names)));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/leading",
                "trailing/",
                "a//b",
                ".",
                "..",
                "a/./b",
                "a/../b",
                "%2F",
                ";x=1",
                "a;b",
                "~user",
                "*",
                "日本/😀/é"
            })
    void unusualNameIsKeptExactly(String name) {
        assertStatus(put(name, "{\"data\":1}"), 204);
        assertJson(get(app(name)), 200, "{\"name\":" + quote(name) + ",\"data\":1}");
        assertJson(get("/api/apps"), 200, "[{\"name\":" + quote(name) + "}]");
    }

    @ParameterizedTest
    @ValueSource(strings = {"line\u2028separator", "paragraph\u2029separator"})
    void nameWithAUnicodeLineSeparatorRoundTrips(String name) {
        // U+2028 and U+2029 are format characters, not control characters: valid in names
        assertThat(Names.check(name), is(name));
        assertStatus(put(name, "{\"data\":1}"), 204);
        assertJson(get(app(name)), 200, "{\"name\":\"" + name + "\",\"data\":1}");
        assertJson(get("/api/apps"), 200, "[{\"name\":\"" + name + "\"}]");
    }

    @ParameterizedTest
    @ValueSource(strings = {"%FF", "a%C3%28", "%ED%A0%80", "%C0%AF", "%F5%80%80%80", "%E6%97"})
    void nameThatIsNotUtf8Is400(String encoded) {
        assertProblem(send("PUT", "/api/apps/" + encoded, utf8("{\"data\":1}")), 400);
        assertJson(get("/api/apps"), 200, "[]");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "é", "😀", "日"})
    void nameOf1024Utf8BytesWorksAnd1025Is400(String first) {
        String name = first + "a".repeat(Names.MAX_BYTES - utf8(first).length);
        assertThat(utf8(name).length, is(1024));
        assertStatus(put(name, "{\"data\":\"long\"}"), 204);
        assertJson(get(app(name)), 200, "{\"name\":\"" + name + "\",\"data\":\"long\"}");

        String tooLong = name + "a";
        assertProblem(put(tooLong, "{\"data\":\"long\"}"), 400);
        assertProblem(get(app(tooLong)), 400);
        assertProblem(send("DELETE", app(tooLong), (byte[]) null), 400);
        assertJson(get("/api/apps"), 200, "[{\"name\":\"" + name + "\"}]");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a%01b", "%00", "x%0Ay", "%0D", "%7F", "%C2%85", "%C2%9F"})
    void nameWithAControlCharacterIs400(String encoded) {
        assertProblem(send("PUT", "/api/apps/" + encoded, utf8("{\"data\":1}")), 400);
        assertProblem(get("/api/apps/" + encoded), 400);
        assertJson(get("/api/apps"), 200, "[]");
    }

    // --- routes and methods -------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"/api/nothing", "/nope", "/api", "/api/appsx", "/api/schema/x"})
    void unknownRouteIs404Problem(String path) {
        assertProblem(get(path), 404);
        assertProblem(send("PUT", path, utf8("{\"data\":1}")), 404);
    }

    static Stream<Arguments> wrongMethods() {
        return Stream.of(
                Arguments.of("POST", "/api/apps/x"),
                Arguments.of("TRACE", "/api/apps/x"),
                Arguments.of("FOO", "/api/apps/x"),
                Arguments.of("PUT", "/api/apps"),
                Arguments.of("DELETE", "/api/apps"),
                Arguments.of("POST", "/api/apps"),
                Arguments.of("POST", "/api/schema"),
                Arguments.of("DELETE", "/api/schema"));
    }

    @ParameterizedTest(name = "[{index}] {0} {1}")
    @MethodSource("wrongMethods")
    void wrongMethodIs405ProblemWithAllow(String method, String path) {
        put("x", "{\"data\":\"kept\"}");
        Res res = send(method, path, utf8("{\"data\":1}"), "Content-Type", "application/json");
        assertProblem(res, 405);
        String allow = res.header("Allow");
        assertThat(allow, containsString("GET"));
        assertThat(allow, not(containsString(method)));
        assertJson(get(app("x")), 200, "{\"name\":\"x\",\"data\":\"kept\"}");
    }

    // --- OpenAPI and Swagger UI ---------------------------------------------------------------

    @Test
    void rootRedirectsToSwaggerUi() {
        Res res = get("/");
        assertStatus(res, 302);
        assertThat(res.header("Location"), endsWith("/openapi/ui"));
    }

    @Test
    void swaggerUiIsHtmlMentioningSwagger() {
        HttpClient following = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
        for (String path : List.of("/", "/openapi/ui", "/openapi/ui/index.html")) {
            Res res = http.send(following, "GET", path, null);
            assertStatus(res, 200);
            assertThat(path, res.header("Content-Type"), startsWith("text/html"));
            assertThat(path, res.text().toLowerCase(Locale.ROOT), containsString("swagger"));
        }
    }

    @Test
    void schemaIsOpenApiJsonDocumentingEveryPath() {
        Res res = get("/api/schema");
        assertStatus(res, 200);
        assertThat(res.header("Content-Type"), startsWith("application/json"));
        JsonObject schema = res.json().asJsonObject();
        assertThat(schema, hasKey("openapi"));
        assertThat(schema.getString("openapi"), startsWith("3."));
        JsonObject paths = schema.getJsonObject("paths");
        assertThat(paths.keySet(), hasItems("/api/apps", "/api/apps/{name}", "/api/schema"));
        assertThat(paths.getJsonObject("/api/apps").keySet(), hasItem("get"));
        assertThat(paths.getJsonObject("/api/apps/{name}").keySet(), hasItem("put"));
        assertThat(paths.getJsonObject("/api/apps/{name}").keySet(), hasItem("delete"));
        assertThat(paths.getJsonObject("/api/schema").keySet(), hasItem("get"));
    }

    @Test
    void openapiEndpointAnswers() {
        Res res = get("/openapi");
        assertStatus(res, 200);
        assertThat(res.text(), containsString("/api/apps/{name}"));
    }

    // --- listing ------------------------------------------------------------------------------

    @Test
    void listFiltersByPrefixAndIncludesData() {
        for (String name : List.of("team/a", "team/b", "team/c", "teams", "tea", "other")) {
            put(name, "{\"data\":" + quote(name) + "}");
        }
        assertJson(
                get("/api/apps?prefix=team/"),
                200,
                "[{\"name\":\"team/a\"},{\"name\":\"team/b\"},{\"name\":\"team/c\"}]");
        assertJson(
                get("/api/apps?prefix=team%2F&include=data"),
                200,
                "[{\"name\":\"team/a\",\"data\":\"team/a\"},{\"name\":\"team/b\",\"data\":\"team/b\"},"
                        + "{\"name\":\"team/c\",\"data\":\"team/c\"}]");
        assertJson(get("/api/apps?prefix=nothing"), 200, "[]");
        assertJson(
                get("/api/apps?prefix="),
                200,
                "[{\"name\":\"other\"},{\"name\":\"tea\"},{\"name\":\"team/a\"},{\"name\":\"team/b\"},"
                        + "{\"name\":\"team/c\"},{\"name\":\"teams\"}]");
    }

    @Test
    void listHonoursLimitAndAfter() {
        for (String name : List.of("a", "b", "c", "d", "e")) {
            put(name, "{\"data\":0}");
        }
        Res first = get("/api/apps?limit=2");
        assertJson(first, 200, "[{\"name\":\"a\"},{\"name\":\"b\"}]");
        assertThat(next(first), notNullValue());
        assertJson(get("/api/apps?after=b"), 200, "[{\"name\":\"c\"},{\"name\":\"d\"},{\"name\":\"e\"}]");
        assertJson(get("/api/apps?after=bb&limit=2"), 200, "[{\"name\":\"c\"},{\"name\":\"d\"}]");
        assertJson(get("/api/apps?after=e"), 200, "[]");
        assertThat(listNames(get("/api/apps?after=")), is(List.of("a", "b", "c", "d", "e")));
        assertJson(get("/api/apps?prefix=c&after=a"), 200, "[{\"name\":\"c\"}]");
        assertJson(get("/api/apps?prefix=c&after=c"), 200, "[]");
        Res exact = get("/api/apps?limit=5");
        assertThat(listNames(exact), is(List.of("a", "b", "c", "d", "e")));
        assertThat("no Link when nothing follows", exact.header("Link"), is((String) null));
        assertStatus(get("/api/apps?limit=10000"), 200);
    }

    @Test
    void followingLinkNextVisitsEveryNameExactlyOnce() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 23; i++) {
            names.add("page/" + (char) ('a' + i));
        }
        names.addAll(
                List.of("page/😀", "page/\uFFFD", "page/with space", "page/a/b", "page/100%", "page/&x=1", "page/é"));
        names.forEach(name -> put(name, "{\"data\":" + quote(name) + "}"));
        put("pagf", "{\"data\":0}"); // outside the prefix
        for (String include : List.of("", "&include=data")) {
            List<String> seen = new ArrayList<>();
            String url = "/api/apps?prefix=page%2F&limit=4" + include;
            int pages = 0;
            while (url != null) {
                Res page = get(url);
                assertStatus(page, 200);
                JsonArray items = page.json().asJsonArray();
                assertThat(items.size() <= 4, is(true));
                for (JsonValue item : items) {
                    String name = item.asJsonObject().getString("name");
                    seen.add(name);
                    if (!include.isEmpty()) {
                        assertThat(item.asJsonObject().getString("data"), is(name));
                    }
                }
                url = next(page);
                pages++;
                assertThat("runaway paging", pages <= names.size(), is(true));
            }
            assertThat(new HashSet<>(seen).size(), is(seen.size()));
            assertThat(seen, is(sorted(names)));
            assertThat(pages, is((names.size() + 3) / 4));
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "limit=0",
                "limit=10001",
                "limit=abc",
                "limit=-1",
                "limit=",
                "limit=1.5",
                "limit=99999999999",
                "limit=%22%5C%01",
                "include=foo",
                "include=",
                "include=DATA",
                "include=%22%0A"
            })
    void badListParameterIs400(String query) {
        assertProblem(get("/api/apps?" + query), 400);
    }

    // --- limits -------------------------------------------------------------------------------

    @Test
    void bodyLargerThanMaxPayloadIs413() {
        put("big", "{\"data\":\"small\"}");
        String filler = "x".repeat(MAX_PAYLOAD);
        Res res = send("PUT", app("big"), utf8("{\"data\":\"" + filler + "\"}"), "Content-Type", "application/json");
        assertProblem(res, 413);
        assertJson(get(app("big")), 200, "{\"name\":\"big\",\"data\":\"small\"}");
    }

    @Test
    void chunkedBodyLargerThanMaxPayloadIs413() {
        put("big-chunked", "{\"data\":\"small\"}");
        byte[] body = utf8("{\"data\":\"" + "x".repeat(MAX_PAYLOAD) + "\"}");
        // Raw, in one write: the server answers 413 once the chunks pass the limit and closes the
        // connection without reading the rest, which java.net.http reports as a reset.
        String head = "PUT " + app("big-chunked") + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                + Integer.toHexString(body.length) + "\r\n";
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.writeBytes(head.getBytes(StandardCharsets.ISO_8859_1));
        request.writeBytes(body);
        request.writeBytes("\r\n0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        Res res = http.raw(request.toByteArray());
        assertThat(res.describe(), res.status(), is(413));
        assertThat(res.header("Content-Type"), is("application/problem+json"));
        assertJson(get(app("big-chunked")), 200, "{\"name\":\"big-chunked\",\"data\":\"small\"}");
    }

    @Test
    void bodyOfExactlyMaxPayloadIsAccepted() {
        String prefix = "{\"data\":\"";
        String filler = "y".repeat(MAX_PAYLOAD - prefix.length() - 2);
        byte[] body = utf8(prefix + filler + "\"}");
        assertThat(body.length, is(MAX_PAYLOAD));
        assertStatus(send("PUT", app("just-fits"), body), 204);
        assertJson(get(app("just-fits")), 200, "{\"name\":\"just-fits\",\"data\":\"" + filler + "\"}");
    }

    // --- concurrency --------------------------------------------------------------------------

    @Test
    void concurrentPutsToOneKeyLeaveTheValueWithTheHighestEtag() throws Exception {
        Map<Long, String> acknowledged = new ConcurrentHashMap<>();
        runConcurrently(16, 200, (thread, i) -> {
            String value = "{\"t\":" + thread + ",\"i\":" + i + "}";
            Res res = put("hot", "{\"data\":" + value + "}");
            assertStatus(res, 204);
            String previous = acknowledged.put(seq(res.header("ETag")), value);
            assertThat("ETags never repeat", previous, is((String) null));
        });
        assertThat(acknowledged.size(), is(16 * 200));
        long highest =
                acknowledged.keySet().stream().mapToLong(Long::longValue).max().orElseThrow();
        Res last = get(app("hot"));
        assertThat(last.header("ETag"), is("\"" + highest + "\""));
        assertJson(last, 200, "{\"name\":\"hot\",\"data\":" + acknowledged.get(highest) + "}");
    }

    @Test
    void concurrentPutsToManyKeysAreAllVisibleAfterTheirAcknowledgement() throws Exception {
        int keysPerThread = 25;
        runConcurrently(16, 200, (thread, i) -> {
            String name = "many/" + thread + "/" + (i % keysPerThread);
            assertStatus(put(name, "{\"data\":" + i + "}"), 204);
            // only this thread writes this key: a read after the acknowledgement must see this write
            assertJson(get(app(name)), 200, "{\"name\":" + quote(name) + ",\"data\":" + i + "}");
        });
        List<String> expected = new ArrayList<>();
        for (int thread = 0; thread < 16; thread++) {
            for (int k = 0; k < keysPerThread; k++) {
                String name = "many/" + thread + "/" + k;
                expected.add(name);
                int last = 200 - keysPerThread + k;
                assertJson(get(app(name)), 200, "{\"name\":" + quote(name) + ",\"data\":" + last + "}");
            }
        }
        assertThat(listNames(get("/api/apps?prefix=many/")), is(sorted(expected)));
    }

    private interface Step {
        void run(int thread, int i) throws Exception;
    }

    private static void runConcurrently(int threads, int steps, Step step) throws Exception {
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<?>> futures = IntStream.range(0, threads)
                    .mapToObj(t -> pool.submit(() -> {
                        for (int i = 0; i < steps; i++) {
                            step.run(t, i);
                        }
                        return null;
                    }))
                    .collect(java.util.stream.Collectors.toList());
            for (Future<?> future : futures) {
                future.get();
            }
        }
    }

    // --- helpers ------------------------------------------------------------------------------

    private Res get(String path) {
        return http.get(path);
    }

    private Res put(String name, String body) {
        return http.put(name, body);
    }

    private Res send(String method, String path, byte[] body, String... headers) {
        return http.send(method, path, body, headers);
    }

    /** Unlike {@link TestClient#assertJson}, the exact text: values must round-trip byte for byte. */
    private static void assertJson(Res res, int status, String json) {
        assertThat(res.describe(), res.status(), is(status));
        assertThat(res.header("Content-Type"), is("application/json"));
        assertThat(res.text(), is(json));
    }

    private static List<String> listNames(Res res) {
        assertStatus(res, 200);
        return res.json().asJsonArray().stream()
                .map(v -> v.asJsonObject().getString("name"))
                .toList();
    }

    private static List<String> sorted(List<String> names) {
        return names.stream().sorted(TestClient::compareCodePoints).toList();
    }

    private static byte[] latin1(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
