package io.microstore.api;

import io.microstore.testing.ServerTestBase;
import io.microstore.testing.TestClient;
import io.microstore.testing.TestClient.Res;
import org.junit.jupiter.api.Test;

import static io.microstore.testing.TestClient.assertProblem;
import static io.microstore.testing.TestClient.assertStatus;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

/**
 * Who is asked for a key: the class's server has no security at all (every request may do everything, as before
 * keys existed), and keys made through its API restrict only the clients that send them; one with
 * {@code security.require-key} over the same store asks every request for one of those keys.
 */
class KeyModesTest extends ServerTestBase {
    private static final String[] JSON = {"Content-Type", "application/json"};

    @Test
    void withoutSecurityApiKeysLockNobodyOutYetTheirRulesHoldForWhoSendsThem() {
        // anyone is admin here: also to make a key
        Res made = http.send(
                "POST", "/api/keys", "{\"id\":\"ro\",\"rules\":[{\"prefix\":\"pub/\",\"access\":\"read\"}]}", JSON);
        assertStatus(made, 201);
        String secret = made.json().asJsonObject().getString("secret");
        try {
            assertStatus(http.putApp("pub/a", "1"), 204);
            assertStatus(http.putApp("priv/a", "1"), 204);
            assertStatus(http.get("/api/apps/priv/a"), 200);
            assertStatus(http.get("/api/apps/priv/a", "Authorization", "Bearer wrong"), 200); // ignored, as always
            String[] key = {"Authorization", "Bearer " + secret};
            assertStatus(http.get("/api/apps/pub/a", key), 200);
            assertProblem(http.get("/api/apps/priv/a", key), 403);
            assertProblem(http.putApp("pub/a", "2", key), 403);
            assertThat(http.get("/api/keys/self", key).text(), containsString("\"id\":\"ro\""));
            assertThat(http.get("/api/keys/self").text(), containsString("\"id\":null,\"admin\":true"));

            TestClient required = startServer("security.require-key", "true").http();
            Res anonymous = required.get("/api/apps/pub/a");
            assertProblem(anonymous, 401);
            assertThat(anonymous.header("WWW-Authenticate"), is("Bearer realm=\"microstore\""));
            assertProblem(required.get("/api/apps/pub/a", "Authorization", "Bearer wrong"), 401);
            assertStatus(required.get("/api/apps/pub/a", key), 200);
            assertThat(required.get("/api/apps", key).text(), is("[{\"name\":\"pub/a\"}]"));
            assertProblem(required.get("/api/apps?prefix=priv/", key), 403);
            assertStatus(required.get("/api/schema"), 200);
        } finally {
            assertStatus(http.send("DELETE", "/api/keys/ro", (String) null), 204);
        }
    }
}
