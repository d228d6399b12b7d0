package io.microstore.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.microstore.store.IndexInfo;
import io.microstore.testing.Eventually;
import io.microstore.testing.ServerTestBase;
import io.microstore.testing.TestClient.Res;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static io.microstore.testing.TestClient.JSON;
import static io.microstore.testing.TestClient.assertProblem;
import static io.microstore.testing.TestClient.assertStatus;
import static io.microstore.testing.TestClient.encode;
import static io.microstore.testing.TestClient.next;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

/**
 * The index routes over HTTP, on the engine the harness names: every status they answer, the plan an index
 * gives a query (and that dropping it changes only the plan), and no index definition showing as an app.
 */
class IndexesTest extends ServerTestBase {
    private static final int BUDGET = 40;

    @Override
    protected Map<String, String> settings() {
        return Map.of("store.query.scan-budget", Integer.toString(BUDGET));
    }

    @AfterEach
    void dropEveryIndex() {
        for (IndexInfo i : store.indexes().list()) {
            store.indexes().drop(i.id());
        }
    }

    private Res putIndex(String id, String body) {
        return http.send("PUT", "/api/indexes/" + id, body, "Content-Type", JSON);
    }

    private void awaitReady(String id) throws InterruptedException {
        Eventually.await(
                "index " + id + " ready",
                () -> http.get("/api/indexes/" + id)
                        .json()
                        .asJsonObject()
                        .getString("state")
                        .equals("ready"));
    }

    private List<String> all(String path) {
        List<String> names = new ArrayList<>();
        for (String at = path; at != null; ) {
            Res res = http.get(at);
            assertStatus(res, 200);
            for (JsonValue item : res.json().asJsonArray()) {
                names.add(item.asJsonObject().getString("name"));
            }
            at = next(res);
        }
        return names;
    }

    @Test
    void definingListingShowingAndDropping() throws InterruptedException {
        Res created = putIndex("by-status", "{\"paths\": [\"/status\", \"/created\"]}");
        assertStatus(created, 201);
        assertThat(created.header("Location"), is("/api/indexes/by-status"));
        JsonObject index = created.json().asJsonObject();
        assertThat(index.getString("id"), is("by-status"));
        assertThat(index.getJsonArray("paths").toString(), is("[\"/status\",\"/created\"]"));
        assertStatus(putIndex("by-status", "{\"paths\": [\"/status\", \"/created\"]}"), 200);
        assertThat(
                assertProblem(putIndex("by-status", "{\"paths\": [\"/status\"]}"), 409)
                        .getString("detail"),
                containsString("exists on"));
        awaitReady("by-status");
        Res list = http.get("/api/indexes");
        assertStatus(list, 200);
        JsonObject only = list.json().asJsonArray().getJsonObject(0);
        assertThat(only.getString("state"), is("ready"));
        assertThat(only.getJsonNumber("entries").longValue(), is(0L));
        assertStatus(http.send("DELETE", "/api/indexes/by-status", (String) null), 204);
        assertProblem(http.get("/api/indexes/by-status"), 404);
        assertProblem(http.send("DELETE", "/api/indexes/by-status", (String) null), 404);
        assertThat(http.get("/api/indexes").text(), is("[]"));
    }

    @Test
    void badDefinitionsAre400() {
        assertProblem(putIndex("bad%20id", "{\"paths\": [\"/a\"]}"), 400);
        assertProblem(putIndex("x".repeat(65), "{\"paths\": [\"/a\"]}"), 400);
        assertProblem(putIndex("a", "{\"paths\": []}"), 400);
        assertProblem(putIndex("a", "{\"paths\": [\"/a\", \"/b\", \"/c\", \"/d\", \"/e\"]}"), 400);
        assertProblem(putIndex("a", "{\"paths\": [\"a\"]}"), 400);
        assertProblem(putIndex("a", "{\"paths\": [\"/a~2\"]}"), 400);
        assertProblem(putIndex("a", "{\"paths\": [\"/a\", \"/a\"]}"), 400);
        assertProblem(putIndex("a", "{\"paths\": [1]}"), 400);
        assertProblem(putIndex("a", "{\"paths\": \"/a\"}"), 400);
        assertProblem(putIndex("a", "{\"paths\": [\"/a\"], \"unique\": true}"), 400);
        assertProblem(putIndex("a", "{}"), 400);
        assertProblem(putIndex("a", "[\"/a\"]"), 400);
        assertProblem(putIndex("a", "{\"paths\": [\"/a\"]"), 400);
        assertThat(http.get("/api/indexes").text(), is("[]"));
    }

    @Test
    void atMost32Indexes() {
        for (int i = 0; i < 32; i++) {
            assertStatus(putIndex("i" + i, "{\"paths\": [\"/p" + i + "\"]}"), 201);
        }
        assertThat(
                assertProblem(putIndex("i32", "{\"paths\": [\"/p\"]}"), 409).getString("detail"),
                containsString("at most 32"));
    }

    @Test
    void anIndexChangesThePlanNotTheAnswer() throws InterruptedException {
        for (int i = 0; i < 120; i++) {
            assertStatus(
                    http.putApp(
                            String.format("q/%03d", i),
                            "{\"s\":\"" + (i % 3 == 0 ? "open" : "shut") + "\",\"n\":" + i + "}"),
                    204);
        }
        String equal = "/api/apps?prefix=q/&limit=7&where=" + encode("{\"/s\":\"open\"}");
        String ordered = "/api/apps?prefix=q/&limit=9&order=-/n&where=" + encode("{\"/s\":\"open\"}");
        String count = "/api/apps?limit=0&count=exact&where=" + encode("{\"/s\":\"open\"}");
        List<String> scanned = all(equal);
        assertThat(scanned.size(), is(40));
        assertThat(http.get(equal).header("Query-Plan"), startsWith("scan;"));
        assertStatus(http.get(ordered), 422); // 120 apps, a budget of 40: an order needs an index
        assertStatus(putIndex("s", "{\"paths\": [\"/s\"]}"), 201);
        assertStatus(putIndex("n", "{\"paths\": [\"/n\"]}"), 201);
        awaitReady("s");
        awaitReady("n");
        assertThat(all(equal), is(scanned));
        assertThat(http.get(equal).header("Query-Plan"), is("index=s; examined=8; returned=7"));
        Res counted = http.get(count);
        assertThat(counted.header("X-Total-Count"), is("40"));
        assertThat(counted.header("Query-Plan"), is("index=s; examined=0; returned=0"));
        List<String> byN = all(ordered);
        assertThat(byN.size(), is(40));
        assertThat(byN.getFirst(), is("q/117"));
        assertThat(http.get(ordered).header("Query-Plan"), startsWith("index=n;"));
        assertStatus(http.send("DELETE", "/api/indexes/s", (String) null), 204);
        assertThat(all(equal), is(scanned));
        assertThat(http.get(equal).header("Query-Plan"), startsWith("scan;"));
    }

    @Test
    void rangePrefixAndCompoundCountsExamineNoApp() throws InterruptedException {
        for (int i = 0; i < 120; i++) {
            assertStatus(
                    http.putApp(
                            String.format("c/%03d", i),
                            "{\"s\":\"" + (i % 3 == 0 ? "open" : "shut") + "\",\"n\":" + i + "}"),
                    204);
        }
        String range = "/api/apps?limit=0&count=exact&where=" + encode("{\"/n\":{\"$gte\":10,\"$lt\":100}}");
        String prefix = "/api/apps?limit=0&count=exact&where=" + encode("{\"/s\":{\"$prefix\":\"op\"}}");
        String compound = "/api/apps?limit=0&count=exact&where=" + encode("{\"/s\":\"open\",\"/n\":{\"$gt\":50}}");
        assertStatus(http.get(prefix), 422); // 120 apps, a budget of 40: a count needs an index
        assertStatus(putIndex("n", "{\"paths\": [\"/n\"]}"), 201);
        assertStatus(putIndex("sn", "{\"paths\": [\"/s\", \"/n\"]}"), 201);
        awaitReady("n");
        awaitReady("sn");
        for (String[] c : new String[][] {{range, "90", "n"}, {prefix, "40", "sn"}, {compound, "23", "sn"}}) {
            Res counted = http.get(c[0]);
            assertStatus(counted, 200);
            assertThat(c[0], counted.header("X-Total-Count"), is(c[1]));
            assertThat(c[0], counted.header("Query-Plan"), is("index=" + c[2] + "; examined=0; returned=0"));
        }
    }

    @Test
    void noDefinitionShowsAsAnApp() throws InterruptedException {
        assertStatus(http.putApp("v/a", "{\"s\":1}"), 204);
        long since = Long.parseLong(http.get("/api/apps?where=" + encode("{}")).header("Query-Seq"));
        assertStatus(putIndex("hidden", "{\"paths\": [\"/s\"]}"), 201);
        awaitReady("hidden");
        Res listing = http.get("/api/apps");
        assertThat(listing.text(), is("[{\"name\":\"v/a\"}]"));
        assertThat(
                http.get("/api/apps?limit=0&count=exact&where=" + encode("{}")).header("X-Total-Count"), is("1"));
        assertThat(http.get("/api/export").text(), not(containsString("hidden")));
        assertThat(http.get("/api/changes?since=" + since).text(), not(containsString("hidden")));
        assertThat(http.get("/observe/metrics").text(), containsString("microstore_apps{scope=\"application\",} 1.0"));
        assertStatus(http.send("DELETE", "/api/indexes/hidden", (String) null), 204);
        assertThat(http.get("/api/changes?since=" + since).text(), not(containsString("index")));
    }
}
