package io.microstore.api.access;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.webserver.WebServer;
import io.microstore.testing.Pki;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The seam for mapping a client certificate to a key: a filter sees the verified subject of the
 * certificate a client showed over mutual TLS ({@code client-auth: optional} here, so that a client
 * without one gets through too), and nothing without one. Real handshakes, certificates by openssl.
 */
class ClientCertificateTest {
    @TempDir
    static Path dir;

    static Pki pki;
    static WebServer server;

    @BeforeAll
    static void start() throws Exception {
        pki = Pki.ca(dir, "ca");
        pki.issue("server", "/CN=microstore", 2);
        pki.issue("client", "/O=team/CN=service-a", 2);
        Config config = Config.just(ConfigSources.create(Map.of(
                "port",
                "0",
                "host",
                "127.0.0.1",
                "tls.client-auth",
                "optional",
                "tls.private-key.pem.key.resource.path",
                pki.key("server").toString(),
                "tls.private-key.pem.cert-chain.resource.path",
                pki.cert("server").toString(),
                "tls.trust.pem.certificates.resource.path",
                pki.caPem().toString())));
        server = WebServer.builder()
                .config(config)
                .routing(r -> r.get(
                        "/whoami",
                        (req, res) -> res.send(ClientCertificate.subject(req).orElse("(none)"))))
                .build()
                .start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.stop();
        }
    }

    private static String whoami(HttpClient client) throws Exception {
        HttpResponse<String> res = client.send(
                HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.port() + "/whoami"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, res.statusCode());
        return res.body();
    }

    @Test
    void theVerifiedSubjectOfTheClientsCertificate() throws Exception {
        try (HttpClient client = HttpClient.newBuilder()
                .sslContext(Pki.context(pki.caPem(), pki.cert("client"), pki.key("client")))
                .build()) {
            assertEquals("CN=service-a,O=team", whoami(client));
        }
    }

    @Test
    void noneWithoutACertificate() throws Exception {
        try (HttpClient client = HttpClient.newBuilder()
                .sslContext(Pki.context(pki.caPem(), null, null))
                .build()) {
            assertEquals("(none)", whoami(client));
        }
    }
}
