package io.microstore.api;

import java.util.List;

import io.microstore.testing.ServerTestBase;
import io.microstore.testing.TestClient;
import io.microstore.testing.TestClient.Res;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.microstore.testing.TestClient.assertJson;
import static io.microstore.testing.TestClient.assertProblem;
import static io.microstore.testing.TestClient.assertStatus;
import static io.microstore.testing.TestClient.utf8;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

/**
 * App names are I-JSON text (RFC 7493): a name with an unpaired UTF-16 surrogate, which UTF-8 cannot
 * encode (it would be written as {@code ?} and merge with the app really named {@code ?}), is a 400 on
 * every way in (txn, import, URL) and changes nothing.
 */
class SurrogateNamesTest extends ServerTestBase {
    /** The app a lone surrogate would have been merged with. */
    private static final String QUESTION_MARK = "?";

    @BeforeEach
    void storeTheAppNamedQuestionMark() {
        assertStatus(http.put(QUESTION_MARK, "{\"data\":\"real\"}"), 204);
    }

    private Res txn(String json) {
        return http.send("POST", "/api/txn", json, "Content-Type", TestClient.JSON);
    }

    /** Only the app named "?" exists, with its value, and no seq was taken since {@code seq}. */
    private void assertNothingChanged(long seq) {
        assertThat("nothing was written", store.lastSeq(), is(seq));
        assertJson(http.get("/api/apps"), 200, "[{\"name\":\"?\"}]");
        assertJson(http.get(TestClient.app(QUESTION_MARK)), 200, "{\"name\":\"?\",\"data\":\"real\"}");
    }

    @Test
    void aTransactionNamingUnpairedSurrogatesIs400WithTheOperationsIndex() {
        long seq = store.lastSeq();
        JsonObject problem = assertProblem(
                txn(
                        "[{\"op\":\"put\",\"name\":\"ok\",\"data\":1},"
                                + "{\"op\":\"put\",\"name\":\"\\ud800\",\"data\":2},{\"op\":\"put\",\"name\":\"\\udbff\",\"data\":3}]"),
                400);
        assertThat(problem.getInt("index"), is(1));
        assertThat(problem.getString("detail"), containsString("operation 1: "));
        assertThat(problem.getString("detail"), containsString("unpaired UTF-16 surrogate"));
        assertNothingChanged(seq);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{\"op\":\"delete\",\"name\":\"\\udc00\"}",
                "{\"op\":\"patch\",\"name\":\"a\\ud83d\",\"merge\":{\"x\":1}}",
                "{\"op\":\"check\",\"name\":\"\\ude00\\ud83d\",\"if_none_match\":\"*\"}",
                "{\"op\":\"put\",\"name\":\"\\ud83d\\ud83d\\ude00\",\"data\":1}"
            })
    void everyKindOfOperationRefusesAnUnpairedSurrogate(String operation) {
        long seq = store.lastSeq();
        JsonObject problem = assertProblem(txn("[{\"op\":\"delete\",\"name\":\"?\"}," + operation + "]"), 400);
        assertThat(problem.getInt("index"), is(1));
        assertThat(problem.getString("detail"), containsString("unpaired UTF-16 surrogate"));
        assertNothingChanged(seq);
    }

    @Test
    void anImportLineNamingAnUnpairedSurrogateIs400WithItsLineNumber() {
        long seq = store.lastSeq();
        Res res = http.send(
                "POST",
                "/api/import?overwrite=true",
                utf8("{\"name\":\"ok\",\"data\":1}\n"
                        + "{\"name\":\"\\ud800\",\"data\":2}\n{\"name\":\"\\udbff\",\"data\":3}\n"),
                "Content-Type",
                "application/x-ndjson");
        JsonObject problem = assertProblem(res, 400);
        assertThat(problem.getString("detail"), containsString("line 2"));
        assertThat(problem.getString("detail"), containsString("unpaired UTF-16 surrogate"));
        assertNothingChanged(seq);
    }

    /** A surrogate's UTF-8 form (CESU-8) is invalid UTF-8, in a path as in a body. */
    @Test
    void aSurrogateEncodedInThePathIs400() {
        long seq = store.lastSeq();
        for (String name : List.of("%ED%A0%80", "%ED%AF%BF", "%ED%B0%80", "a%ED%A0%80b", "%ED%A0%BD%ED%B8%80")) {
            for (String method : List.of("GET", "PUT", "PATCH", "DELETE")) {
                Res res = http.raw(
                        method,
                        "/api/apps/" + name,
                        method.equals("PUT") || method.equals("PATCH") ? utf8("{\"data\":1}") : null,
                        "Content-Type",
                        method.equals("PATCH") ? TestClient.MERGE : TestClient.JSON);
                assertThat(assertProblem(res, 400).getString("detail"), containsString("UTF-8"));
            }
        }
        assertNothingChanged(seq);
    }
}
