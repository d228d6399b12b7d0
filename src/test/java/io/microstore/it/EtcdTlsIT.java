package io.microstore.it;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import io.microstore.etcd.gateway.EtcdAccess;
import io.microstore.etcd.gateway.EtcdRejected;
import io.microstore.etcd.gateway.EtcdUnreachable;
import io.microstore.etcd.gateway.GatewayClient;
import io.microstore.etcd.gateway.KeyRange;
import io.microstore.etcd.gateway.RequestOp;
import io.microstore.testing.EtcdCluster;
import io.microstore.testing.Pki;
import io.microstore.testing.TestClient;
import io.microstore.testing.TestClient.Res;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static io.microstore.testing.TestClient.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Cluster mode on etcd's TLS + auth mode ({@code etcd-cluster.sh --secure}): https with client
 * certificates of the cluster's CA, and etcd's auth on, microstore running as the etcd user {@code
 * microstore} whose role may read and write {@code /microstore/} only. Simple tokens live {@value TTL} s
 * unused, so that the token's expiry happens within a test.
 */
@Timeout(120)
class EtcdTlsIT {
    private static final List<String> JVM = List.of("-Xmx192m", "-XX:TieredStopAtLevel=1");
    private static final int TTL = 3;

    @TempDir
    static Path dir;

    static EtcdCluster cluster;
    static ChildServer server;
    static TestClient http;
    static Path config;

    @BeforeAll
    static void start() throws Exception {
        cluster = EtcdCluster.startSecure(dir, "/microstore/", TTL);
        config = config(cluster.file("microstore.password"));
        server = ChildServer.start(JVM, "--config", config.toString());
        http = new TestClient(server.awaitPort());
    }

    /** microstore's config for the secure cluster: https endpoints, store.etcd.tls, the user and its password file. */
    private static Path config(Path passwordFile) throws Exception {
        String endpoints = cluster.endpoints().stream().map(URI::toString).collect(Collectors.joining(","));
        Path file = Files.createTempFile(dir, "microstore", ".yaml");
        Files.writeString(
                file,
                "store:\n  etcd:\n    endpoints: " + endpoints + "\n    user: microstore\n    password-file: "
                        + passwordFile + "\n    tls:\n"
                        + Pki.helidonTls(
                                "      ",
                                cluster.file("tls/microstore-key.pem"),
                                cluster.file("tls/microstore.pem"),
                                cluster.file("tls/ca.pem")));
        return file;
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void putGetConsistentReadAndChangesOverTlsAsTheEtcdUser() throws Exception {
        assertStatus(http.putApp("tls-one", "{\"x\":1}"), 204);
        Res got = http.get("/api/apps/tls-one");
        assertStatus(got, 200);
        assertTrue(got.text().contains("\"x\":1"), got.describe());
        // a consistent read asks etcd for its current revision: through a key of the prefix, as the
        // user may read nothing else
        assertStatus(http.get("/api/apps/tls-one?consistent=true"), 200);
        Res changes = http.get("/api/changes?since=0");
        assertStatus(changes, 200);
        assertTrue(changes.text().contains("\"name\":\"tls-one\""), changes.describe());
        EtcdCluster.Result stored = cluster.etcdctl("get", "/microstore/apps/tls-one", "--print-value-only");
        assertEquals(0, stored.status(), stored.output());
        assertTrue(stored.output().contains("\"x\":1"), stored.output());
    }

    @Test
    void theEtcdUserCannotTouchKeysOutsideItsPrefix() throws Exception {
        byte[] outside = "/elsewhere/key".getBytes(StandardCharsets.UTF_8);
        byte[] inside = "/microstore/probe".getBytes(StandardCharsets.UTF_8);
        try (GatewayClient client = new GatewayClient(
                cluster.endpoints(), Duration.ofMillis(500), Duration.ofSeconds(3), cluster.access())) {
            client.txn(List.of(), List.of(new RequestOp.Put(inside, new byte[] {1}, 0, false, false)), List.of());
            EtcdRejected write = assertThrows(
                    EtcdRejected.class,
                    () -> client.txn(
                            List.of(),
                            List.of(new RequestOp.Put(outside, new byte[] {1}, 0, false, false)),
                            List.of()));
            assertTrue(write.etcdMessage().contains("permission denied"), write.getMessage());
            EtcdRejected read = assertThrows(EtcdRejected.class, () -> client.range(KeyRange.single(outside), 0, 0));
            assertTrue(read.etcdMessage().contains("permission denied"), read.getMessage());
            // not even the revision through the key \0, as microstore asked before it ran as such a user
            EtcdRejected revision = assertThrows(EtcdRejected.class, client::currentRevision);
            assertTrue(revision.etcdMessage().contains("permission denied"), revision.getMessage());
            assertTrue(client.currentRevision(inside) > 0);
        }
        // etcd's root may write there, and nothing microstore tried is there
        EtcdCluster.Result root = cluster.etcdctl("get", "/elsewhere/key");
        assertEquals(0, root.status(), root.output());
        assertEquals("", root.output().strip());
    }

    /**
     * etcd forgets a simple token unused for its TTL. Between writes the test idles ever longer, so that
     * the token expires (the cause under test), until the server reports it renewed the token; every
     * write before and after is acknowledged, and the watch opened with the first token still delivers.
     */
    @Test
    void servingGoesOnAcrossTokenExpiry() throws Exception {
        long renewalsBefore = renewals();
        long pause = 250;
        int i = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (renewals() == renewalsBefore) {
            assertTrue(System.nanoTime() < deadline, "no token renewal within 60 s:\n" + server.output());
            assertStatus(http.putApp("expiry", "{\"i\":" + i++ + "}"), 204);
            Thread.sleep(pause); // idle: the token's unused time is what expires it
            pause = Math.min(pause * 2, (TTL + 2) * 1000L);
        }
        assertStatus(http.putApp("expiry", "{\"i\":\"after\"}"), 204);
        Res changes = http.get("/api/changes?since=0");
        assertTrue(changes.text().contains("\"name\":\"expiry\""), changes.describe());
        Res got = http.get("/api/apps/expiry?consistent=true");
        assertStatus(got, 200);
        assertTrue(got.text().contains("after"), got.describe());
        assertTrue(server.output().contains("etcd refused the previous one (etcdserver: invalid auth token)"));
    }

    private static long renewals() {
        return server.output().lines().filter(l -> l.contains("token renewed")).count();
    }

    @Test
    void aWrongPasswordStopsTheStartWithEtcdsReason() throws Exception {
        Path wrong = dir.resolve("wrong.password");
        Files.writeString(wrong, "not-the-password\n");
        ChildServer bad = ChildServer.launch(JVM, "--config", config(wrong).toString());
        try {
            assertNotEquals(0, bad.waitFor(), bad.output());
            assertTrue(bad.output().contains("authenticating as etcd user microstore failed"), bad.output());
        } finally {
            bad.close();
        }
    }

    @Test
    void aPlainClientIsRefusedByTheSecureCluster() {
        try (GatewayClient plain = new GatewayClient(
                cluster.endpoints(), Duration.ofMillis(500), Duration.ofSeconds(3), EtcdAccess.NONE)) {
            // no certificate of the cluster's CA: the JDK does not even trust the server
            EtcdUnreachable e = assertThrows(EtcdUnreachable.class, plain::status);
            assertTrue(e.getMessage().contains("TLS handshake failed"), e.getMessage());
        }
    }
}
