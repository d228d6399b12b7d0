package io.microstore.api;

import io.microstore.testing.ServerTestBase;
import io.microstore.testing.TestClient.Res;
import org.junit.jupiter.api.Test;

import static io.microstore.testing.TestClient.JSON_PATCH;
import static io.microstore.testing.TestClient.MERGE;
import static io.microstore.testing.TestClient.app;
import static io.microstore.testing.TestClient.assertJson;
import static io.microstore.testing.TestClient.assertProblem;
import static io.microstore.testing.TestClient.assertStatus;
import static io.microstore.testing.TestClient.utf8;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

/**
 * PATCH against hostile and unusual stored values, over HTTP on each engine: it never stops the store, and
 * it rewrites nothing it does not touch (the findings of the hostile-input review).
 */
class PatchBytesTest extends ServerTestBase {
    @Test
    void copiesOfTheDataIntoItsOwnDeepestChildAre422AndWritesGoOn() {
        String deep = "{\"a\":".repeat(999) + "1" + "}".repeat(999); // about 6 KB, as deep as a PUT takes
        assertStatus(http.putApp("deep", deep), 204);
        String etag = http.get(app("deep")).header("ETag");
        StringBuilder copies = new StringBuilder("[");
        for (int k = 1; k <= 8; k++) { // each into the deepest object the copy before made
            copies.append(k == 1 ? "" : ",")
                    .append("{\"op\":\"copy\",\"from\":\"/data\",\"path\":\"/data")
                    .append("/a".repeat(998 * k))
                    .append("\"}");
        }
        Res res = http.patch("deep", JSON_PATCH, copies.append("]").toString());
        assertThat(assertProblem(res, 422).getString("detail"), containsString("deeper than 1000"));
        assertThat(http.get(app("deep")).header("ETag"), is(etag));
        // The store goes on taking writes of every kind.
        assertStatus(http.putApp("after", "1"), 204);
        assertStatus(
                http.send(
                        "POST",
                        "/api/txn",
                        "[{\"op\":\"put\",\"name\":\"t\",\"data\":1}]",
                        "Content-Type",
                        "application/json"),
                200);
        assertStatus(http.patch("deep", MERGE, "{\"data\":1}"), 200);
        assertStatus(http.get("/observe/health"), 200);
    }

    @Test
    void aMergePatchLeavesWhatItDoesNotNameByteForByte() {
        String data =
                "{\"s\":\"\\ud800x\",\"big\":1e400,\"neg\":-0,\"twice\":{\"k\":1,\"k\":2},\"esc\":\"\\u0041\",\"x\":1}";
        assertStatus(http.putApp("bytes", data), 204);
        assertJson(
                http.patch("bytes", MERGE, "{\"data\":{\"x\":2}}"),
                200,
                "{\"name\":\"bytes\",\"data\":" + data.replace("\"x\":1", "\"x\":2") + "}");
        assertThat(
                http.get(app("bytes")).text(),
                is("{\"name\":\"bytes\",\"data\":" + data.replace("\"x\":1", "\"x\":2") + "}"));
    }

    @Test
    void aTransactionsPatchStoresEscapesAsAPutDoes() {
        assertStatus(http.putApp("esc", "{\"a\":\"\\ud800\"}"), 204);
        assertStatus(
                http.send(
                        "POST",
                        "/api/txn",
                        "[{\"op\":\"patch\",\"name\":\"esc\",\"merge\":{\"b\":true}}]",
                        "Content-Type",
                        "application/json"),
                200);
        assertThat(http.get(app("esc")).text(), is("{\"name\":\"esc\",\"data\":{\"a\":\"\\ud800\",\"b\":true}}"));
    }

    @Test
    void aLoneSurrogateNameAndAQuestionMarkStayTwoMembers() {
        // Raw requests: the contract check's JSON parser refuses a lone surrogate in a member name.
        assertStatus(
                http.raw("PUT", app("names"), utf8("{\"data\":{\"\\ud800\":1}}"), "Content-Type", "application/json"),
                204);
        Res res = http.raw("PATCH", app("names"), utf8("{\"data\":{\"?\":2}}"), "Content-Type", MERGE);
        assertStatus(res, 200);
        assertThat(res.text(), is("{\"name\":\"names\",\"data\":{\"\\ud800\":1,\"?\":2}}"));
    }

    @Test
    void aPatchThatChangesNothingWritesNoVersion() {
        assertStatus(http.putApp("same", "{\"a\":[1,2]}"), 204);
        String etag = http.get(app("same")).header("ETag");
        long seq = store.lastSeq();
        Res tested = http.patch("same", JSON_PATCH, "[{\"op\":\"test\",\"path\":\"/data/a\",\"value\":[1,2]}]");
        assertJson(tested, 200, "{\"name\":\"same\",\"data\":{\"a\":[1,2]}}");
        assertThat(tested.header("ETag"), is(etag));
        assertThat(http.patch("same", MERGE, "{\"data\":{\"a\":[1,2]}}").header("ETag"), is(etag));
        assertThat(store.lastSeq(), is(seq));
        assertThat(http.get("/api/changes?since=" + seq).text(), is("{\"results\":[],\"last_seq\":" + seq + "}"));
    }

    @Test
    void aNumberLongerThanJsonPReadsCanBePatchedAround() {
        // Raw requests: the contract check's JSON parser refuses numbers over 1000 digits.
        String number = "1" + "0".repeat(1200);
        assertStatus(
                http.raw(
                        "PUT",
                        app("long"),
                        utf8("{\"data\":{\"n\":" + number + ",\"m\":1e99999999999}}"),
                        "Content-Type",
                        "application/json"),
                204);
        Res merged = http.raw("PATCH", app("long"), utf8("{\"data\":{\"x\":1}}"), "Content-Type", MERGE);
        assertStatus(merged, 200);
        assertThat(
                merged.text(), is("{\"name\":\"long\",\"data\":{\"n\":" + number + ",\"m\":1e99999999999,\"x\":1}}"));
        assertStatus(
                http.raw(
                        "PATCH",
                        app("long"),
                        utf8("[{\"op\":\"test\",\"path\":\"/data/n\",\"value\":" + number
                                + ".0},{\"op\":\"remove\",\"path\":\"/data/x\"}]"),
                        "Content-Type",
                        JSON_PATCH),
                200);
    }
}
