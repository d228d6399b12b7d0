package io.microstore.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

import io.microstore.testing.Pki;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static io.microstore.testing.Eventually.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Server TLS and mutual TLS on the real jar, configured in Helidon's own {@code server.tls} shape with
 * {@code client-auth: required}, with certificates openssl makes here: every check is a real handshake,
 * by the JDK's SSLSocket or by openssl s_client (the only client here that still speaks TLS 1.0 and 1.1).
 */
@Timeout(120)
class TlsIT {
    private static final List<String> JVM = List.of("-Xmx128m", "-XX:TieredStopAtLevel=1");

    @TempDir
    static Path dir;

    static Pki pki;
    static ChildServer server;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        pki = Pki.ca(dir, "ca");
        pki.issue("server", "/CN=microstore-first", 2);
        pki.issue("client", "/CN=service-a", 2);
        pki.issue("expired", "/CN=service-old", -1); // notAfter: yesterday
        Pki rogue = Pki.ca(dir, "rogue-ca");
        rogue.issue("rogue", "/CN=service-a", 2); // the same subject, from a CA the server does not trust
        server = ChildServer.start(JVM, "--config", config("server").toString());
        port = server.awaitPort();
        assertTrue(server.output().contains("listening on https://"), server.output());
    }

    /** A config file serving the certificate {@code name} and requiring a client certificate of the CA. */
    private static Path config(String name) throws IOException {
        Path config = dir.resolve(name + ".yaml");
        Files.writeString(
                config,
                "server:\n  tls:\n    client-auth: required\n"
                        + Pki.helidonTls("    ", pki.key(name), pki.cert(name), pki.caPem()));
        return config;
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private static SSLContext client(String name) throws IOException {
        return Pki.context(pki.caPem(), pki.cert(name), pki.key(name));
    }

    @Test
    void aTrustedClientCertificateIsServed() throws Exception {
        try (Connection c = new Connection(client("client"))) {
            assertEquals("HTTP/1.1 200 OK", c.head());
        }
    }

    @Test
    void plainHttpToTheTlsPortFails() {
        try (HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/apps"))
                    .timeout(Duration.ofSeconds(10))
                    .build();
            assertThrows(IOException.class, () -> http.send(request, HttpResponse.BodyHandlers.ofString()));
        }
    }

    @Test
    void noClientCertificateFailsTheHandshake() throws Exception {
        refused(Pki.context(pki.caPem(), null, null));
    }

    @Test
    void aCertificateOfAnUntrustedCaFailsTheHandshake() throws Exception {
        refused(Pki.context(pki.caPem(), dir.resolve("rogue.pem"), dir.resolve("rogue-key.pem")));
    }

    @Test
    void anExpiredCertificateFailsTheHandshake() throws Exception {
        refused(client("expired"));
    }

    /**
     * With TLS 1.3 the client's handshake completes before the server has checked the client's
     * certificate: the refusal (an alert) comes on the first read, and nothing is ever answered.
     */
    private static void refused(SSLContext context) throws Exception {
        IOException e = assertThrows(IOException.class, () -> {
            try (Connection c = new Connection(context)) {
                String status = c.head();
                throw new AssertionError("answered without a trusted, valid client certificate: " + status);
            }
        });
        assertTrue(e instanceof javax.net.ssl.SSLException || e instanceof java.net.SocketException, e.toString());
    }

    @Test
    void tls10And11AreRefusedWhile12And13AreServed() throws Exception {
        for (String old : List.of("-tls1", "-tls1_1")) {
            String out = sClient(old);
            // the server's alert: openssl itself would offer the old protocol at security level 0
            assertTrue(out.contains("alert protocol version"), old + ":\n" + out);
        }
        for (String current : List.of("-tls1_2", "-tls1_3")) {
            String out = sClient(current);
            assertTrue(out.contains("BEGIN CERTIFICATE") && !out.contains("alert"), current + ":\n" + out);
        }
    }

    private static String sClient(String protocol) throws Exception {
        return Pki.openssl(
                dir,
                "s_client",
                "-connect",
                "127.0.0.1:" + port,
                protocol,
                "-cipher",
                "DEFAULT@SECLEVEL=0",
                "-cert",
                "client.pem",
                "-key",
                "client-key.pem",
                "-CAfile",
                "ca.pem",
                "-showcerts");
    }

    @Test
    void sighupServesTheNewCertificateWhileAnOpenConnectionKeepsWorking() throws Exception {
        try (Connection open = new Connection(client("client"))) {
            assertEquals("HTTP/1.1 200 OK", open.head());
            String before = open.serverSubject();
            String renewed = "CN=microstore-" + System.nanoTime();
            pki.issue("server-next", "/" + renewed, 2);
            // as an operator renews a certificate: new files in place of the old, then SIGHUP
            Files.copy(pki.key("server-next"), dir.resolve("next.tmp"), StandardCopyOption.REPLACE_EXISTING);
            Files.move(dir.resolve("next.tmp"), pki.key("server"), StandardCopyOption.REPLACE_EXISTING);
            Files.copy(pki.cert("server-next"), dir.resolve("next.tmp"), StandardCopyOption.REPLACE_EXISTING);
            Files.move(dir.resolve("next.tmp"), pki.cert("server"), StandardCopyOption.REPLACE_EXISTING);
            long reloads = reloads(server.output());
            server.signal("HUP");
            await(
                    "the server reports the reload",
                    Duration.ofSeconds(30),
                    server::output,
                    out -> reloads(out) > reloads);
            try (Connection fresh = new Connection(client("client"))) {
                assertEquals("HTTP/1.1 200 OK", fresh.head());
                assertEquals(renewed, fresh.serverSubject());
            }
            assertEquals("HTTP/1.1 200 OK", open.head(), "the connection opened before the reload");
            assertEquals(before, open.serverSubject());
            assertTrue(server.isAlive(), "SIGHUP must not stop the JVM");
        }
    }

    /**
     * A process that inherits SIGHUP ignored keeps it ignored: the JVM installs no handler for it. So under
     * nohup a SIGHUP neither stops the server nor reloads its certificate, and the server says so at start.
     */
    @Test
    void underNohupTheServerWarnsThatSighupCannotReloadAndKeepsItsCertificate() throws Exception {
        pki.issue("nohup", "/CN=microstore-nohup", 2);
        try (ChildServer ignoring =
                ChildServer.startUnderNohup(JVM, "--config", config("nohup").toString())) {
            assertTrue(ignoring.output().contains("SIGHUP is ignored in this process"), ignoring.output());
            pki.issue("nohup", "/CN=microstore-nohup-renewed", 2); // new files in place of the old
            ignoring.signal("HUP"); // an ignored signal is dropped as it is sent: nothing to wait for
            try (Connection fresh = new Connection(client("client"), ignoring.awaitPort())) {
                assertEquals("HTTP/1.1 200 OK", fresh.head());
                assertEquals("CN=microstore-nohup", fresh.serverSubject());
            }
            assertTrue(ignoring.isAlive(), ignoring.output());
        }
    }

    private static long reloads(String output) {
        return output.lines().filter(l -> l.contains("server.tls reloaded")).count();
    }

    /** One kept-alive TLS connection to the server, asking HEAD /api/apps as often as told. */
    private static final class Connection implements AutoCloseable {
        private final SSLSocket socket;
        private final BufferedReader in;

        Connection(SSLContext context) throws IOException {
            this(context, port);
        }

        Connection(SSLContext context, int port) throws IOException {
            socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port);
            socket.setSoTimeout(10_000);
            socket.startHandshake();
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
        }

        /** The status line of a HEAD, its headers read to their end. */
        String head() throws IOException {
            socket.getOutputStream()
                    .write("HEAD /api/apps HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            String status = in.readLine();
            if (status == null) {
                throw new java.net.SocketException("the server closed the connection without an answer");
            }
            String line;
            while ((line = in.readLine()) != null && !line.isEmpty()) {
                // headers
            }
            return status;
        }

        String serverSubject() throws IOException {
            return ((X509Certificate) socket.getSession().getPeerCertificates()[0])
                    .getSubjectX500Principal()
                    .getName();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
