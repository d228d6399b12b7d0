package io.microstore.api.access;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;

import io.microstore.store.Store;
import io.microstore.testing.Pki;
import io.microstore.testing.Stores;
import io.microstore.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

/**
 * Mutual TLS as a key: a config key with {@code certificate-subject} is the key of every request whose client
 * showed a certificate with that subject, verified by the server's trust, so the service sends no bearer secret.
 * Real handshakes over a server wired as the jar wires it, certificates made by openssl.
 */
class KeyCertificateTest {
    @TempDir
    static Path dir;

    static Pki pki;
    static Store store;
    static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        pki = Pki.ca(dir, "ca");
        pki.issue("server", "/CN=microstore", 2);
        pki.issue("client", "/O=team/CN=service-a", 2);
        pki.issue("stranger", "/O=team/CN=service-b", 2);
        store = Stores.memory();
        server = TestServer.start(
                store,
                "server.tls.client-auth",
                "optional",
                "server.tls.private-key.pem.key.resource.path",
                pki.key("server").toString(),
                "server.tls.private-key.pem.cert-chain.resource.path",
                pki.cert("server").toString(),
                "server.tls.trust.pem.certificates.resource.path",
                pki.caPem().toString(),
                "security.keys.0.id",
                "service-a",
                "security.keys.0.certificate-subject",
                "CN=service-a,O=team",
                "security.keys.0.rules.0.prefix",
                "svc/",
                "security.keys.0.rules.0.access",
                "write");
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (store != null) {
            store.close();
        }
    }

    private static HttpResponse<String> send(HttpClient client, String method, String path, String... headers)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.port() + path))
                .method(
                        method,
                        method.equals("PUT")
                                ? HttpRequest.BodyPublishers.ofString("{\"data\":1}")
                                : HttpRequest.BodyPublishers.noBody())
                .header("Content-Type", "application/json");
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpClient client(String name) throws Exception {
        return HttpClient.newBuilder()
                .sslContext(Pki.context(
                        pki.caPem(), name == null ? null : pki.cert(name), name == null ? null : pki.key(name)))
                .build();
    }

    @Test
    void aVerifiedCertificateIsItsKeyWithoutABearerSecret() throws Exception {
        try (HttpClient client = client("client")) {
            assertThat(send(client, "PUT", "/api/apps/svc/x").statusCode(), is(204));
            assertThat(send(client, "GET", "/api/apps/svc/x").statusCode(), is(200));
            assertThat(send(client, "PUT", "/api/apps/other").statusCode(), is(403));
            assertThat(send(client, "GET", "/api/export").statusCode(), is(403));
            HttpResponse<String> self = send(client, "GET", "/api/keys/self");
            assertThat(self.statusCode(), is(200));
            assertThat(self.body(), containsString("\"id\":\"service-a\""));
            // a bearer header is the credential when sent: a wrong one is a 401, the certificate does not save it
            assertThat(
                    send(client, "GET", "/api/apps/svc/x", "Authorization", "Bearer wrong")
                            .statusCode(),
                    is(401));
        }
    }

    @Test
    void noCertificateOrAnotherSubjectIsNoKey() throws Exception {
        try (HttpClient none = client(null);
                HttpClient stranger = client("stranger")) {
            HttpResponse<String> anonymous = send(none, "GET", "/api/apps/svc/x");
            assertThat(anonymous.statusCode(), is(401));
            assertThat(anonymous.headers().firstValue("WWW-Authenticate").orElse(""), containsString("Bearer"));
            assertThat(send(stranger, "GET", "/api/apps/svc/x").statusCode(), is(401));
        }
    }
}
