package io.microstore.api;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.microstore.testing.ServerTestBase;
import io.microstore.testing.TestClient;
import io.microstore.testing.TestClient.Res;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static io.microstore.testing.TestClient.JSON;
import static io.microstore.testing.TestClient.JSON_PATCH;
import static io.microstore.testing.TestClient.MERGE;
import static io.microstore.testing.TestClient.app;
import static io.microstore.testing.TestClient.assertJson;
import static io.microstore.testing.TestClient.assertProblem;
import static io.microstore.testing.TestClient.assertStatus;
import static io.microstore.testing.TestClient.utf8;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;

/**
 * A battery of bad requests over every route: each must get a 4xx problem+json whose {@code status}
 * member is the HTTP status, never a 5xx, and must leave a value stored before it exactly as it was.
 */
class BadInputTest extends ServerTestBase {
    private static final int MAX_PAYLOAD = 4096;
    private static final String VICTIM = "victim";
    private static final String VICTIM_DATA = "{\"keep\":[1,\"two\",{\"three\":3.0}],\"big\":12345678901234567890}";
    private static final List<String> ROUTES =
            List.of("/", "/api/schema", "/api/apps", "/api/apps/victim", "/api/admin/compact");

    private String victimEtag;

    @Override
    protected Map<String, String> settings() {
        return Map.of("server.max-payload-size", String.valueOf(MAX_PAYLOAD));
    }

    /** The value each bad request must leave alone, stored afresh before each (in a store emptied before each). */
    @BeforeEach
    void storeTheVictim() {
        assertStatus(http.put(VICTIM, "{\"data\":" + VICTIM_DATA + "}"), 204);
        victimEtag = http.get(app(VICTIM)).header("ETag");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("battery")
    void badRequestIs4xxProblemAndChangesNothing(String description, Exchange exchange) {
        Res res = exchange.send(http);
        assertThat(description + ": " + res.describe(), res.status(), allOf(greaterThanOrEqualTo(400), lessThan(500)));
        assertProblem(res);
        Res victim = http.get(app(VICTIM));
        assertThat("after " + description, victim.text(), is(victimDocument()));
        assertJson(victim, 200, victimDocument());
        assertThat(victim.header("ETag"), is(victimEtag));
    }

    @Test
    void rawUtf8InAPathIsRefusedOrMeansTheSameAsItsPercentEncoding() {
        // not allowed in a request target (RFC 9112), but if taken it must be the name it spells
        Res res = http.raw("PUT", "/api/apps/caf\u00c3\u00a9", utf8("{\"data\":1}"), "Content-Type", JSON);
        assertThat(res.describe(), res.status(), anyOf(is(204), is(400)));
        if (res.status() == 204) {
            assertJson(http.get("/api/apps/caf%C3%A9"), 200, "{\"name\":\"café\",\"data\":1}");
        } else {
            assertProblem(res);
        }
        assertThat(http.get("/api/apps").text(), not(containsString("\uFFFD")));
    }

    interface Exchange {
        Res send(TestClient http);
    }

    static Stream<Arguments> battery() {
        List<Arguments> cases = new ArrayList<>();
        String victim = "/api/apps/" + VICTIM;

        // --- bodies -----------------------------------------------------------------------------
        for (String body : List.of(
                "{\"data\": {\"a\": [1,",
                "{\"data\"",
                "{\"data\": \"abc",
                "{",
                "{\"data\": tru",
                "[]",
                "\"data\"",
                "42",
                "null",
                "{\"Data\": 1}",
                "{\"data\"=1}",
                "{\"data\":1,}",
                "")) {
            cases.add(of("PUT body " + body, h -> h.send("PUT", victim, utf8(body), "Content-Type", JSON)));
        }
        cases.add(of(
                "PUT body over max-payload-size",
                h -> h.send(
                        "PUT", victim, utf8("{\"data\":\"" + "x".repeat(MAX_PAYLOAD) + "\"}"), "Content-Type", JSON)));
        cases.add(of(
                "PUT nesting 1001 deep",
                h -> h.send(
                        "PUT",
                        victim,
                        utf8("{\"data\":" + "[".repeat(1000) + "]".repeat(1000) + "}"),
                        "Content-Type",
                        JSON)));
        cases.add(of(
                "PUT 4000 unclosed brackets",
                h -> h.send("PUT", victim, utf8("{\"data\":" + "[".repeat(4000)), "Content-Type", JSON)));
        for (String bad :
                List.of("\u00ff", "\u00c3\u0028", "\u00c0\u00af", "\u00ed\u00a0\u0080", "\u00f4\u0090\u0080\u0080")) {
            cases.add(of(
                    "PUT invalid UTF-8 " + hex(bad),
                    h -> h.send("PUT", victim, latin1("{\"data\":\"" + bad + "\"}"), "Content-Type", JSON)));
            cases.add(of(
                    "PATCH invalid UTF-8 " + hex(bad),
                    h -> h.send(
                            "PATCH", victim, latin1("{\"data\":{\"keep\":\"" + bad + "\"}}"), "Content-Type", MERGE)));
        }
        for (String body : List.of("{\"data\":{", "", "{\"data\":" + "[".repeat(1000) + "]".repeat(1000) + "}")) {
            cases.add(of(
                    "PATCH merge " + abbreviate(body),
                    h -> h.send("PATCH", victim, utf8(body), "Content-Type", MERGE)));
        }
        for (String body : List.of(
                "{\"op\":\"add\"}",
                "[{\"op\":\"add\",\"path\":5,\"value\":1}]",
                "[{\"op\":\"add\"}]",
                "[",
                "[{\"op\":\"remove\",\"path\":\"/data/nope\"}]",
                "[{\"op\":\"replace\",\"path\":\"/name\",\"value\":1}]")) {
            cases.add(of(
                    "PATCH json-patch " + body, h -> h.send("PATCH", victim, utf8(body), "Content-Type", JSON_PATCH)));
        }
        cases.add(of(
                "PATCH body over max-payload-size",
                h -> h.send(
                        "PATCH",
                        victim,
                        utf8("{\"data\":\"" + "x".repeat(MAX_PAYLOAD) + "\"}"),
                        "Content-Type",
                        MERGE)));
        cases.add(of(
                "POST compact body over max-payload-size",
                h -> h.send(
                        "POST",
                        "/api/admin/compact",
                        utf8("{\"x\":\"" + "x".repeat(MAX_PAYLOAD) + "\"}"),
                        "Content-Type",
                        JSON)));
        cases.add(of(
                "PUT list body over max-payload-size",
                h -> h.send(
                        "PUT",
                        "/api/apps",
                        utf8("{\"data\":\"" + "x".repeat(MAX_PAYLOAD) + "\"}"),
                        "Content-Type",
                        JSON)));

        // --- methods ------------------------------------------------------------------------------
        for (String route : ROUTES) {
            for (String method : List.of("TRACE", "POST", "PATCH", "DELETE", "PUT")) {
                if (!(route.equals("/api/admin/compact") && method.equals("POST")) && !route.equals(victim)) {
                    cases.add(of(
                            method + " " + route,
                            h -> h.send(method, route, utf8("{\"data\":1}"), "Content-Type", JSON)));
                }
            }
            cases.add(of("made-up method FOO " + route, h -> h.raw("FOO", route, null)));
        }
        for (String method : List.of("TRACE", "POST")) { // OPTIONS answers 204 with Allow (CORS preflights)
            cases.add(
                    of(method + " " + victim, h -> h.send(method, victim, utf8("{\"data\":1}"), "Content-Type", JSON)));
        }
        cases.add(of("GET /api/admin/compact", h -> h.get("/api/admin/compact")));
        cases.add(of("CONNECT", h -> h.raw("CONNECT 127.0.0.1:80 HTTP/1.1\r\nHost: 127.0.0.1:80\r\n\r\n")));
        cases.add(of("CONNECT to a path", h -> h.raw("CONNECT", victim, null)));
        // Lower-case methods ("delete") are not refused: Helidon upper-cases the method token before
        // the application sees it, so they act as the standard ones (RFC 9110 says methods are case-sensitive).
        cases.add(of("method with a character no token may hold", h -> h.raw("G@T", victim, null)));

        // --- headers ------------------------------------------------------------------------------
        for (String type : List.of(
                "garbage",
                ";;;",
                ";",
                "application/",
                "/json",
                "text/json",
                "text/plain; charset=utf-8",
                "application/json; charset=latin1",
                "application/json; charset=utf-16",
                "application/json;charset=\"iso-8859-1\"")) {
            cases.add(of(
                    "PUT Content-Type " + type,
                    h -> h.send("PUT", victim, utf8("{\"data\":1}"), "Content-Type", type)));
            cases.add(of(
                    "PATCH Content-Type " + type,
                    h -> h.send("PATCH", victim, utf8("{\"data\":1}"), "Content-Type", type)));
        }
        cases.add(of(
                "PUT with two different Content-Types",
                h -> h.raw("PUT", victim, utf8("{\"data\":1}"), "Content-Type", JSON, "Content-Type", "text/plain")));
        cases.add(of(
                "PATCH with two different Content-Types",
                h -> h.raw("PATCH", victim, utf8("{\"data\":1}"), "Content-Type", MERGE, "Content-Type", JSON_PATCH)));
        for (String tag : List.of("garbage", "17", "W/", "\"1\" \"2\"", "\"unterminated")) {
            cases.add(of("PUT If-Match " + tag, h -> h.put(VICTIM, "{\"data\":1}", "If-Match", tag)));
            cases.add(of("PATCH If-Match " + tag, h -> h.patch(VICTIM, MERGE, "{\"data\":1}", "If-Match", tag)));
            cases.add(of("DELETE If-Match " + tag, h -> h.delete(VICTIM, "If-Match", tag)));
            cases.add(of("DELETE If-None-Match " + tag, h -> h.delete(VICTIM, "If-None-Match", tag)));
            cases.add(of("GET If-None-Match " + tag, h -> h.get(victim, "If-None-Match", tag)));
        }
        cases.add(of("header name with a space", h -> h.raw("DELETE", victim, null, "Bad Header", "1")));
        cases.add(of(
                "header line without a colon",
                h -> h.raw("DELETE " + victim + " HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n")));
        cases.add(of("control character in a header value", h -> h.raw("DELETE", victim, null, "X-Test", "a\u0001b")));
        cases.add(
                of("If-Match with a control character", h -> h.raw("DELETE", victim, null, "If-Match", "\"1\u0007\"")));
        cases.add(
                of(
                        "Content-Length not a number",
                        h -> h.raw(
                                "PUT " + victim
                                        + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: abc\r\n\r\n{\"data\":1}")));
        cases.add(of(
                "two different Content-Lengths",
                h -> h.raw("PUT " + victim
                        + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10\r\nContent-Length: 11\r\n\r\n"
                        + "{\"data\":1}")));
        cases.add(
                of(
                        "negative Content-Length",
                        h -> h.raw(
                                "PUT " + victim
                                        + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: -1\r\n\r\n{\"data\":1}")));
        cases.add(of(
                "chunk size that is not hex",
                h -> h.raw("PUT " + victim
                        + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"
                        + "{\"data\":1}\r\n0\r\n\r\n")));
        cases.add(of(
                "chunked body over max-payload-size",
                h -> h.raw("PUT " + victim
                        + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + chunked("{\"data\":\"" + "y".repeat(MAX_PAYLOAD) + "\"}"))));

        // --- query parameters -------------------------------------------------------------------------
        for (String query : List.of(
                "limit=-1",
                "limit=1e3",
                "limit=",
                "limit=0",
                "limit=10001",
                "limit=0x10",
                "limit=99999999999999999999",
                "include=x",
                "include=",
                "include=data,x",
                "limit=5&limit=abc",
                "limit=abc&limit=5",
                "include=data&include=x",
                "limit=%D9%A5",
                "limit=%EF%BC%95")) {
            cases.add(of("GET /api/apps?" + query, h -> h.get("/api/apps?" + query)));
        }
        for (String query : List.of("prefix=%zz", "prefix=%", "limit=%", "after=%G0", "include=%d")) {
            cases.add(of("GET /api/apps?" + query, h -> h.raw("GET", "/api/apps?" + query, null)));
        }

        // --- names --------------------------------------------------------------------------------
        for (String name : List.of("%zz", "%", "a%", "%G0", "%2", "victim%", "%FF", "%C3%28", "%00", "vic%0Atim")) {
            for (String method : List.of("GET", "PUT", "PATCH", "DELETE")) {
                cases.add(of(
                        method + " /api/apps/" + name,
                        h -> h.raw(
                                method,
                                "/api/apps/" + name,
                                method.equals("PUT") || method.equals("PATCH") ? utf8("{\"data\":1}") : null,
                                "Content-Type",
                                method.equals("PATCH") ? MERGE : JSON)));
            }
        }
        cases.add(of(
                "PUT raw byte FF in the path",
                h -> h.raw("PUT", "/api/apps/a\u00ffb", utf8("{\"data\":1}"), "Content-Type", JSON)));
        cases.add(of(
                "PUT raw invalid UTF-8 C3 28 in the path",
                h -> h.raw("PUT", "/api/apps/a\u00c3(b", utf8("{\"data\":1}"), "Content-Type", JSON)));

        // --- request lines ------------------------------------------------------------------------
        for (String line : List.of(
                "GARBAGE",
                "GET /api/apps HTTP/9.9",
                "GET  /api/apps  HTTP/1.1",
                "GET /api/apps",
                "GET /api/apps/victim x HTTP/1.1",
                "GET api/apps HTTP/1.1",
                "/api/apps HTTP/1.1",
                "GET HTTP/1.1",
                "DELETE /api/apps/victim HTTP/1.1 extra")) {
            cases.add(of("request line " + line, h -> h.raw(line + "\r\nHost: x\r\n\r\n")));
        }
        cases.add(of("no Host header", h -> h.raw("DELETE " + victim + " HTTP/1.1\r\n\r\n")));
        cases.add(of("two Host headers", h -> h.raw("DELETE " + victim + " HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")));
        return cases.stream();
    }

    private static Arguments of(String description, Exchange exchange) {
        return Arguments.of(description, exchange);
    }

    private static String victimDocument() {
        return "{\"name\":\"" + VICTIM + "\",\"data\":" + VICTIM_DATA + "}";
    }

    private static byte[] latin1(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String hex(String latin1) {
        StringBuilder out = new StringBuilder();
        for (byte b : latin1(latin1)) {
            out.append(String.format("%02X", b & 0xff));
        }
        return out.toString();
    }

    private static String abbreviate(String s) {
        return s.length() <= 20 ? s : s.substring(0, 20) + "... (" + s.length() + " chars)";
    }

    /** {@code body} in chunks of 1000 bytes, with the last chunk. */
    private static String chunked(String body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < body.length(); i += 1000) {
            String chunk = body.substring(i, Math.min(body.length(), i + 1000));
            out.writeBytes((Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
        }
        out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        return out.toString(StandardCharsets.ISO_8859_1);
    }
}
