package io.microstore.api;

import java.util.List;

import io.microstore.testing.ServerTestBase;
import io.microstore.testing.TestClient;
import io.microstore.testing.TestClient.Res;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static io.microstore.testing.TestClient.assertJson;
import static io.microstore.testing.TestClient.assertProblem;
import static io.microstore.testing.TestClient.assertStatus;
import static io.microstore.testing.TestClient.quote;
import static io.microstore.testing.TestClient.utf8;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

/**
 * One path, one app: the name of {@code /api/apps/{name}} is the one Helidon routed the request by.
 * Helidon routes a path after removing dot segments and {@code ;} parameters and merging {@code //}; a
 * request whose raw path says another name than that is a 400 and changes nothing. Sent as raw request
 * lines over a socket, since HTTP clients normalise paths themselves.
 */
class AppPathsTest extends ServerTestBase {
    private static final String EXISTING = "{\"name\":\"foo\",\"data\":\"before\"}";

    @BeforeEach
    void storeFoo() {
        assertStatus(http.put("foo", "{\"data\":\"before\"}"), 204);
    }

    private Res send(String method, String path) {
        return http.raw(
                method,
                path,
                method.equals("PUT") || method.equals("PATCH") ? utf8("{\"data\":\"after\"}") : null,
                "Content-Type",
                method.equals("PATCH") ? TestClient.MERGE : TestClient.JSON);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/api/./apps/foo",
                "/api/x/../apps/foo",
                "/api/apps;x/foo",
                "//api/apps/foo",
                "/api/apps/./foo",
                "/api/apps/x/../foo",
                "/api/apps//foo",
                "/api/apps/foo;x",
                "/api/apps/foo;",
                "/api/apps/foo/.",
                "/api/apps/foo/bar/..",
                "/api/apps/x/..;y/foo",
                "/api/apps/.;y/foo"
            })
    void aPathHelidonRoutesAsAnotherNameIs400AndChangesNothing(String path) {
        long seq = store.lastSeq();
        for (String method : List.of("PUT", "PATCH", "DELETE", "GET")) {
            assertThat(assertProblem(send(method, path), 400).getString("detail"), containsString("normal form"));
        }
        assertThat("nothing was written", store.lastSeq(), is(seq));
        assertJson(http.get("/api/apps?include=data"), 200, "[" + EXISTING + "]");
    }

    /** What Helidon routes by is what the name is: encoded dots, slashes and semicolons are the name's own. */
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "/api/apps/%2E%2E/x | ../x", "/api/apps/a/%2E/b | a/./b", "/api/apps/%2e | .",
                        "/api/apps/a%2F..%2Fb | a/../b",
                "/api/apps/a%3Bx | a;x", "/api/apps/%2F%2Ffoo | //foo", "/api/apps/a%2F%2Fb | a//b",
                        "/api/apps/foo/ | foo/",
                "/api/apps/.a/..b/... | .a/..b/...", "/api/apps/a+b | a+b", "/api/apps/a%2Bb%20c%25 | a+b c%"
            })
    void encodedDotsSlashesAndSemicolonsArePartOfTheName(String path, String name) {
        assertStatus(send("PUT", path), 204);
        assertJson(send("GET", path), 200, "{\"name\":" + quote(name) + ",\"data\":\"after\"}");
        assertJson(http.get(TestClient.app(name)), 200, "{\"name\":" + quote(name) + ",\"data\":\"after\"}");
        assertJson(
                http.get("/api/apps?include=data"),
                200,
                name.compareTo("foo") < 0
                        ? "[{\"name\":" + quote(name) + ",\"data\":\"after\"}," + EXISTING + "]"
                        : "[" + EXISTING + ",{\"name\":" + quote(name) + ",\"data\":\"after\"}]");
        assertStatus(send("DELETE", path), 204);
        assertJson(http.get("/api/apps?include=data"), 200, "[" + EXISTING + "]");
    }
}
