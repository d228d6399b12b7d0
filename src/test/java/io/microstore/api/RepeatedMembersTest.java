package io.microstore.api;

import io.microstore.testing.ServerTestBase;
import io.microstore.testing.TestClient.Res;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static io.microstore.testing.TestClient.app;
import static io.microstore.testing.TestClient.assertProblem;
import static io.microstore.testing.TestClient.assertStatus;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

/**
 * A request object that names a member twice is a 400 that writes nothing, on every route that reads one
 * (a transaction's operation, a query, an index, a key, an import's line), rather than "the last one
 * wins": a second {@code if_match} would otherwise lift the first one's condition.
 */
class RepeatedMembersTest extends ServerTestBase {
    @Test
    void aTransactionWhoseConditionIsNamedTwiceIs400WithItsIndexAndWritesNothing() {
        assertStatus(http.put("config", "{\"data\":\"before\"}"), 204);
        long seq = store.lastSeq();
        Res res = http.send(
                "POST",
                "/api/txn",
                "[{\"op\":\"check\",\"name\":\"config\",\"if_match\":\"*\"},"
                        + "{\"op\":\"put\",\"name\":\"config\",\"data\":\"after\",\"if_match\":\"\\\"999\\\"\",\"if_match\":\"*\"}]",
                "Content-Type",
                "application/json");
        JsonObject problem = assertProblem(res, 400);
        assertThat(problem.getString("detail"), containsString("names the member \"if_match\" twice"));
        assertThat(problem.getInt("index"), is(1));
        assertThat(store.lastSeq(), is(seq));
        assertThat(http.get(app("config")).text(), containsString("before"));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "POST | /api/query | {\"where\":{},\"limit\":1,\"limit\":3} | limit",
                "PUT | /api/indexes/twice | {\"paths\":[\"/a\"],\"paths\":[\"/b\"]} | paths",
                "POST | /api/keys | {\"id\":\"one\",\"id\":\"two\",\"rules\":[]} | id",
            })
    void aBodyNamingAMemberTwiceIs400AndDoesNothing(String method, String path, String body, String member) {
        long seq = store.lastSeq();
        Res res = http.send(method, path, body, "Content-Type", "application/json");
        assertThat(
                assertProblem(res, 400).getString("detail"),
                containsString("names the member \"" + member + "\" twice"));
        assertThat(store.lastSeq(), is(seq));
        assertStatus(http.get("/api/indexes/twice"), 404);
        assertThat(store.keys().list().isEmpty(), is(true));
    }

    @Test
    void anImportLineNamingAMemberTwiceIs400WithItsLineAndWritesNothing() {
        long seq = store.lastSeq();
        Res res = http.send(
                "POST",
                "/api/import",
                "{\"name\":\"i0\",\"data\":0}\n{\"name\":\"i1\",\"data\":1,\"name\":\"i2\"}",
                "Content-Type",
                "application/x-ndjson");
        assertThat(
                assertProblem(res, 400).getString("detail"), is("line 2: the object names the member \"name\" twice"));
        assertThat(store.lastSeq(), is(seq));
        assertStatus(http.get(app("i0")), 404);
    }
}
