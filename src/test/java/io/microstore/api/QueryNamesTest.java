package io.microstore.api;

import java.util.List;

import io.microstore.testing.ServerTestBase;
import io.microstore.testing.TestClient.Res;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.microstore.testing.TestClient.assertJson;
import static io.microstore.testing.TestClient.assertOk;
import static io.microstore.testing.TestClient.assertProblem;
import static io.microstore.testing.TestClient.assertStatus;
import static io.microstore.testing.TestClient.next;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

/**
 * Query parameters that carry names ({@code prefix} and {@code after} of {@code /api/apps}, {@code prefix}
 * of {@code /api/changes}) are decoded as strictly as a name in the path: invalid UTF-8 is a 400, never
 * a name with U+FFFD in it. {@code +} is a space there, as in a form.
 */
class QueryNamesTest extends ServerTestBase {
    @BeforeEach
    void storeSomeNames() {
        for (String name : List.of("a b", "a+b", "a\uFFFD", "\uFFFD", "é")) {
            assertStatus(http.put(name, "{\"data\":1}"), 204);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"%FF", "a%FF", "%C3%28", "%ED%A0%80", "%C0%AF", "%E6%97", "%F5%80%80%80", "%C3"})
    void aNameParameterThatIsNotUtf8Is400(String encoded) {
        for (String query : List.of(
                "/api/apps?prefix=", "/api/apps?after=", "/api/apps?limit=1&after=", "/api/changes?since=0&prefix=")) {
            JsonObject problem = assertProblem(http.raw("GET", query + encoded, null), 400);
            assertThat(problem.getString("detail"), containsString("UTF-8"));
        }
    }

    @Test
    void aNameParameterWithABadEscapeOrRawNonAsciiIs400() {
        assertProblem(http.raw("GET", "/api/apps?x%=1&prefix=a", null), 400);
        assertProblem(http.raw("GET", "/api/apps?%=1&prefix=a", null), 400);
        for (String value : List.of("%", "%4", "%zz", "a%G0", "%%41", "caf\u00c3\u00a9")) {
            for (String query : List.of("/api/apps?prefix=", "/api/apps?after=", "/api/changes?since=0&prefix=")) {
                Res res = http.raw("GET", query + value, null);
                assertProblem(res, 400);
            }
        }
    }

    @Test
    void plusIsASpaceAndPercentEncodingIsStrictUtf8() {
        assertJson(http.get("/api/apps?prefix=a+"), 200, "[{\"name\":\"a b\"}]");
        assertJson(http.get("/api/apps?prefix=a%20"), 200, "[{\"name\":\"a b\"}]");
        assertJson(http.get("/api/apps?prefix=a%2B"), 200, "[{\"name\":\"a+b\"}]");
        assertJson(http.get("/api/apps?prefix=%C3%A9"), 200, "[{\"name\":\"é\"}]");
        assertJson(http.get("/api/apps?prefix=%EF%BF%BD"), 200, "[{\"name\":\"\uFFFD\"}]");
        assertJson(
                http.get("/api/apps?after=a%2Bb"),
                200,
                "[{\"name\":\"a\uFFFD\"},{\"name\":\"é\"},{\"name\":\"\uFFFD\"}]");
        assertJson(http.get("/api/apps?after=a+b&prefix=a"), 200, "[{\"name\":\"a+b\"},{\"name\":\"a\uFFFD\"}]");
        long seq = store.lastSeq();
        assertStatus(http.put("a+b", "{\"data\":2}"), 204);
        assertStatus(http.put("a b", "{\"data\":2}"), 204);
        JsonObject changes = assertOk(http.get("/api/changes?since=" + seq + "&prefix=a+"));
        assertThat(changes.getJsonArray("results").size(), is(1));
        assertThat(changes.getJsonArray("results").getJsonObject(0).getString("name"), is("a b"));
    }

    @Test
    void theNextLinkOfAPageSpellsItsNamesSoTheyReadBackTheSame() {
        String url = "/api/apps?prefix=a&limit=1";
        StringBuilder names = new StringBuilder();
        while (url != null) {
            Res page = http.get(url);
            assertStatus(page, 200);
            names.append(page.json().asJsonArray().getJsonObject(0).getString("name"))
                    .append('|');
            url = next(page);
        }
        assertThat(names.toString(), is("a b|a+b|a\uFFFD|"));
    }
}
