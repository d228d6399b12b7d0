package io.microstore.it;

import java.time.Duration;

import io.microstore.etcd.EtcdConfig;
import io.microstore.etcd.EtcdEngine;
import io.microstore.etcd.gateway.GatewayClient;
import io.microstore.store.Store;
import io.microstore.testing.SseStream;
import io.microstore.testing.Stores;
import io.microstore.testing.TestClient;
import io.microstore.testing.TestServer;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import static io.microstore.testing.TestClient.assertStatus;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

/**
 * Keys in cluster mode: two instances over one dataset (the same prefix of a real 3-member etcd cluster), each a
 * server wired as the jar wires it. A key made on one works on the other at once (its very next request, no
 * waiting), and a key revoked on one is refused by the other on its next request; its open stream there ends.
 */
@Timeout(120)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KeysClusterIT {
    private static final String ADMIN = "cluster-admin-secret";
    private Store storeA;
    private Store storeB;
    private TestServer a;
    private TestServer b;

    @BeforeAll
    void start() throws Exception {
        String prefix = "/test-keys-" + System.nanoTime() + "/";
        storeA = open(prefix);
        storeB = open(prefix);
        a = TestServer.start(storeA, "security.token", ADMIN);
        b = TestServer.start(storeB, "security.token", ADMIN);
    }

    private static Store open(String prefix) throws Exception {
        GatewayClient client = new GatewayClient(
                Stores.cluster().endpoints(),
                Duration.ofMillis(500),
                Duration.ofSeconds(3),
                Stores.cluster().access());
        return Store.open(new EtcdEngine(client, prefix, EtcdConfig.DEFAULTS), Stores.FEED);
    }

    @AfterAll
    void stop() {
        for (AutoCloseable c : new AutoCloseable[] {a, b, storeA, storeB}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // the others still close
            }
        }
    }

    private static String[] auth(String secret) {
        return new String[] {"Authorization", "Bearer " + secret};
    }

    @Test
    void aKeyMadeOnOneInstanceWorksOnTheOtherAtOnceAndItsRevocationToo() throws Exception {
        TestClient onA = a.http();
        TestClient onB = b.http();
        TestClient.Res made = onA.send(
                "POST",
                "/api/keys",
                "{\"id\":\"ci\",\"rules\":[{\"prefix\":\"team/\",\"access\":\"write\"}]}",
                "Content-Type",
                "application/json",
                "Authorization",
                "Bearer " + ADMIN);
        assertStatus(made, 201);
        String secret = made.json().asJsonObject().getString("secret");
        // the very next request on the other instance: an unknown secret makes it catch up with etcd first
        assertStatus(onB.get("/api/apps/team/x", auth(secret)), 404);
        assertStatus(onB.putApp("team/x", "{\"v\":1}", auth(secret)), 204);
        assertStatus(onB.putApp("other", "{\"v\":1}", auth(secret)), 403);
        JsonObject listed = onB.get("/api/keys/ci", auth(ADMIN)).json().asJsonObject();
        assertThat(listed.getString("source"), is("api"));

        try (SseStream sse = SseStream.open(onB.uri(), "/api/changes?since=0", 0, 10_000, auth(secret))) {
            assertThat(sse.nextEvent().data(), containsString("team/x"));
            assertStatus(onA.send("DELETE", "/api/keys/ci", (String) null, auth(ADMIN)), 204);
            assertThat(sse.nextEvent(), is(nullValue())); // B heard the revocation: the stream ends
        }
        assertStatus(onB.get("/api/apps/team/x", auth(secret)), 401);
        assertStatus(onA.get("/api/apps/team/x", auth(secret)), 401);
    }
}
