package io.microstore.it;

import java.nio.file.Path;
import java.util.List;

import io.microstore.testing.Eventually;
import io.microstore.testing.TestClient;
import io.microstore.testing.TestClient.Res;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static io.microstore.testing.TestClient.assertStatus;
import static io.microstore.testing.TestClient.encode;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

/**
 * Index definitions on the real jar with a data directory: after kill -9 (the definition only in the journal)
 * and after a clean restart with a snapshot, the index is defined again, rebuilt, and serves queries.
 */
@Timeout(300)
class IndexesIT {
    private static final List<String> JVM = List.of("-Xmx128m", "-XX:TieredStopAtLevel=1");

    private static void awaitReady(TestClient http, String id) throws InterruptedException {
        Eventually.await("index " + id + " ready", () -> {
            Res res = http.get("/api/indexes/" + id);
            return res.status() == 200
                    && res.json().asJsonObject().getString("state").equals("ready");
        });
    }

    @Test
    void aDefinitionSurvivesKill9AndARestartAndIsBuiltAgain(@TempDir Path dir) throws Exception {
        String data = dir.resolve("data").toString();
        String query = "/api/apps?limit=0&count=exact&where=" + encode("{\"/k\":3}");
        try (ChildServer server = ChildServer.start(JVM, "--data", data)) {
            TestClient http = new TestClient(server.awaitPort());
            for (int i = 0; i < 70; i++) {
                assertStatus(http.putApp("a" + i, "{\"k\":" + (i % 7) + "}"), 204);
            }
            assertStatus(
                    http.send("PUT", "/api/indexes/k", "{\"paths\":[\"/k\"]}", "Content-Type", "application/json"),
                    201);
            server.kill9();
        }
        try (ChildServer server = ChildServer.start(JVM, "--data", data)) {
            TestClient http = new TestClient(server.awaitPort());
            awaitReady(http, "k");
            Res counted = http.get(query);
            assertThat(counted.header("X-Total-Count"), is("10"));
            assertThat(counted.header("Query-Plan"), startsWith("index=k;"));
            assertThat(http.get("/api/apps?limit=1000").json().asJsonArray().size(), is(70));
            assertStatus(http.send("POST", "/api/admin/compact", ""), 200); // the definition in a snapshot now
            server.terminate();
        }
        try (ChildServer server = ChildServer.start(JVM, "--data", data)) {
            TestClient http = new TestClient(server.awaitPort());
            awaitReady(http, "k");
            assertThat(http.get(query).header("Query-Plan"), startsWith("index=k;"));
            assertStatus(http.send("DELETE", "/api/indexes/k", (String) null), 204);
            server.kill9();
        }
        try (ChildServer server = ChildServer.start(JVM, "--data", data)) {
            TestClient http = new TestClient(server.awaitPort());
            assertThat(http.get("/api/indexes").text(), is("[]"));
            assertThat(http.get(query).header("X-Total-Count"), is("10"));
        }
    }
}
