package io.microstore.api;

import io.microstore.api.limits.PathForm;
import io.microstore.testing.ServerTestBase;
import io.microstore.testing.TestClient;
import io.microstore.testing.TestClient.Res;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static io.microstore.testing.TestClient.assertProblem;
import static io.microstore.testing.TestClient.assertStatus;
import static io.microstore.testing.TestClient.utf8;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

/**
 * {@link PathForm} on every route, not only an app's: a raw path that Helidon would route as another one
 * (dot segments, {@code ;}, {@code //}) and a target with a {@code #} fragment are a 400 that does
 * nothing. Sent as raw request lines over a socket, since HTTP clients normalise paths themselves.
 */
class PathFormTest extends ServerTestBase {
    private Res send(String method, String target, String body) {
        return http.raw(method, target, body == null ? null : utf8(body), "Content-Type", TestClient.JSON);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "POST | /api/apps/x/../../keys | {\"id\":\"dots\",\"admin\":true}",
                "POST | /api/./keys | {\"id\":\"dots\",\"admin\":true}",
                "POST | /api/apps/x/../../txn | [{\"op\":\"put\",\"name\":\"viadots\",\"data\":1}]",
                "POST | /api/txn/x/.. | [{\"op\":\"put\",\"name\":\"viadots\",\"data\":1}]",
                "POST | /api;x/txn | [{\"op\":\"put\",\"name\":\"viadots\",\"data\":1}]",
                "PUT | /api/apps/x/../../indexes/dotidx | {\"paths\":[\"/a\"]}",
                "PUT | /api//indexes/dotidx | {\"paths\":[\"/a\"]}",
                "POST | /api/apps/a/../../admin/compact | ",
                "GET | /api/apps/a/../../export | ",
                "GET | /api/apps/team/.. | ",
                "GET | /observe/./health | "
            })
    void aPathRoutedAsAnotherOneIs400OnEveryRouteAndDoesNothing(String method, String target, String body) {
        long seq = store.lastSeq();
        Res res = send(method, target, body);
        assertThat(assertProblem(res, 400).getString("detail"), containsString("is not in normal form"));
        assertThat("nothing was written", store.lastSeq(), is(seq));
        assertThat("no key made", store.keys().list().stream().noneMatch(k -> k.id().equals("dots")), is(true));
        assertStatus(http.get(TestClient.app("viadots")), 404);
        assertStatus(http.get("/api/indexes/dotidx"), 404);
    }

    @Test
    void aTargetWithAFragmentIs400AndWritesNothing() {
        assertStatus(http.put("fragtest", "{\"data\":\"before\"}"), 204);
        long seq = store.lastSeq();
        Res res = send("PUT", "/api/apps/fragtest#other", "{\"data\":\"after\"}");
        assertThat(assertProblem(res, 400).getString("detail"), containsString("#fragment"));
        assertThat(store.lastSeq(), is(seq));
        assertThat(http.get(TestClient.app("fragtest")).text(), containsString("before"));
    }

    @Test
    void anEncodedHashIsPartOfTheName() {
        assertStatus(send("PUT", "/api/apps/frag%23ment", "{\"data\":1}"), 204);
        assertStatus(http.get(TestClient.app("frag#ment")), 200);
    }
}
