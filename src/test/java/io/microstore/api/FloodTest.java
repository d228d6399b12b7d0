package io.microstore.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import io.microstore.testing.Eventually;
import io.microstore.testing.ServerTestBase;
import io.microstore.testing.TestClient;
import io.microstore.testing.TestServer;
import org.junit.jupiter.api.Test;

import static io.microstore.api.EarlyRefusalTest.readHead;
import static io.microstore.testing.TestClient.assertStatus;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

/**
 * Floods on loopback (idle connections, slowloris headers, trickling bodies, many large
 * bodies at once) while a well-behaved client keeps getting its answers. Each scenario has its own
 * server with small limits, so the flood is small too. Assertions are about outcomes (statuses, a
 * connection the server closed), never about speed; the lower bounds check that a slow client is not cut
 * off before its timeout.
 */
class FloodTest extends ServerTestBase {
    private static final int MAX = 1 << 20;

    @Test
    void manyIdleConnectionsDoNotStopAWellBehavedClient() throws Exception {
        try (TestServer server = startServer()) {
            List<Socket> idle = new ArrayList<>();
            try {
                for (int i = 0; i < 500; i++) {
                    idle.add(new Socket("127.0.0.1", server.port()));
                }
                TestClient http = server.http();
                for (int i = 0; i < 20; i++) {
                    assertStatus(http.putApp("idle-" + i, "1"), 204);
                    assertStatus(http.get("/api/apps/idle-" + i), 200);
                }
            } finally {
                for (Socket s : idle) {
                    s.close();
                }
            }
        }
    }

    @Test
    void idleConnectionsOverTheConnectionLimitAreClosedSoAWaitingClientGetsIn() throws Exception {
        try (TestServer server = startServer(
                "server.max-tcp-connections",
                "8",
                "server.idle-connection-timeout",
                "PT2S",
                "server.idle-connection-period",
                "PT1S")) {
            List<Socket> idle = new ArrayList<>();
            try {
                for (int i = 0; i < 8; i++) {
                    Socket socket = new Socket("127.0.0.1", server.port());
                    socket.setSoTimeout(60_000);
                    idle.add(socket);
                }
                // The ninth connection waits for a permit; it gets one when the server closes an idle one.
                assertStatus(server.http().get("/api/apps"), 200);
                for (Socket socket : idle) {
                    assertThat(
                            "the server closed the idle connection",
                            socket.getInputStream().read(),
                            is(-1));
                }
            } finally {
                for (Socket s : idle) {
                    s.close();
                }
            }
        }
    }

    @Test
    void requestsOverTheConcurrencyLimitGet503WithRetryAfter() throws Exception {
        try (TestServer server = startServer("server.max-concurrent-requests", "2")) {
            List<Socket> holders = new ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) { // two requests in progress, waiting for their bodies
                    holders.add(holdASlot(server));
                }
                TestClient http = server.http();
                Eventually.await("the third request is refused", Duration.ofSeconds(30), () -> {
                    // A probe that the server took before a holder's request refuses that holder (503): the
                    // holder has an answer then, and another one takes its place.
                    try {
                        for (int i = 0; i < holders.size(); i++) {
                            if (holders.get(i).getInputStream().available() > 0) {
                                holders.get(i).close();
                                holders.set(i, holdASlot(server));
                            }
                        }
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    return http.raw("GET", "/api/apps", null).status() == 503;
                });
                TestClient.Res refused = http.raw("GET", "/api/apps", null);
                TestClient.assertProblem(refused, 503);
                assertThat(refused.header("Retry-After"), is("1"));
            } finally {
                for (Socket s : holders) {
                    s.close();
                }
            }
            Eventually.await(
                    "requests are taken again",
                    Duration.ofSeconds(30),
                    () -> server.http().raw("GET", "/api/apps", null).status() == 200);
        }
    }

    /** A PUT whose body stays unsent: a request in progress, on a connection of its own. */
    private static Socket holdASlot(TestServer server) throws IOException {
        Socket socket = new Socket("127.0.0.1", server.port());
        socket.getOutputStream()
                .write(("PUT /api/apps/held HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                + "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
                        .getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        return socket;
    }

    @Test
    void slowlorisHeadersAreCutOffAfterTheHeaderTimeout() throws Exception {
        try (TestServer server = startServer("server.header-timeout", "PT1S");
                ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            List<CompletableFuture<Long>> slow = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                slow.add(CompletableFuture.supplyAsync(
                        () -> trickle(
                                server.port(),
                                "GET /api/apps HTTP/1.1\r\nHost: 127.0.0.1\r\n",
                                "X-Slow: " + "a".repeat(200)),
                        clients));
            }
            TestClient http = server.http();
            CompletableFuture<Void> allCut = CompletableFuture.allOf(slow.toArray(CompletableFuture[]::new));
            // until the server has cut off every trickler, a well-behaved client is served
            while (!Eventually.within(Duration.ofMillis(100), allCut::isDone)) {
                assertStatus(http.get("/api/apps"), 200);
            }
            for (CompletableFuture<Long> s : slow) {
                assertThat("cut off, not before the timeout", s.get(), greaterThanOrEqualTo(1000L));
            }
        }
    }

    @Test
    void tricklingBodiesAreCutOffAfterTheBodyTimeout() throws Exception {
        try (TestServer server = startServer("server.body-timeout", "PT1S");
                ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            List<CompletableFuture<Long>> slow = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                slow.add(CompletableFuture.supplyAsync(
                        () -> trickle(
                                server.port(),
                                "PUT /api/apps/slow HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                                        + "Content-Length: 1000\r\n\r\n{\"data\":\"",
                                "x".repeat(990)),
                        clients));
            }
            TestClient http = server.http();
            CompletableFuture<Void> allCut = CompletableFuture.allOf(slow.toArray(CompletableFuture[]::new));
            // until the server has cut off every trickler, a well-behaved client is served
            while (!Eventually.within(Duration.ofMillis(100), allCut::isDone)) {
                assertStatus(http.putApp("fast", "2"), 204);
                assertStatus(http.get("/api/apps/fast"), 200);
            }
            for (CompletableFuture<Long> s : slow) {
                assertThat("cut off, not before the timeout", s.get(), greaterThanOrEqualTo(1000L));
            }
            assertStatus(http.get("/api/apps/slow"), 404);
        }
    }

    @Test
    void manyLargeBodiesAtOnceGet503WithRetryAfterOr204() throws Exception {
        // Each 1 MiB body is charged 4 MiB: two fit in the budget at once.
        try (TestServer server = startServer(
                "server.max-payload-size",
                String.valueOf(MAX),
                "server.max-in-flight-bytes",
                String.valueOf(9L << 20))) {
            byte[] body = TestClient.putBody(MAX);
            List<Socket> sockets = new ArrayList<>();
            try {
                for (int i = 0; i < 16; i++) { // every request's head and half its body, before any ends
                    Socket socket = new Socket("127.0.0.1", server.port());
                    socket.setSoTimeout(60_000);
                    sockets.add(socket);
                    OutputStream out = socket.getOutputStream();
                    out.write(("PUT /api/apps/large-" + i + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                                    + "application/json\r\nContent-Length: " + body.length
                                    + "\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    out.write(body, 0, body.length / 2);
                    out.flush();
                }
                assertStatus(server.http().get("/api/apps"), 200); // a well-behaved client meanwhile
                int ok = 0;
                int busy = 0;
                for (Socket socket : sockets) {
                    socket.getOutputStream().write(body, body.length / 2, body.length - body.length / 2);
                    socket.getOutputStream().flush();
                    String head = readHead(socket.getInputStream());
                    assertThat(head, anyOf(startsWith("HTTP/1.1 204 "), startsWith("HTTP/1.1 503 ")));
                    if (head.startsWith("HTTP/1.1 503 ")) {
                        assertThat(head, containsString("Retry-After: 1"));
                        assertThat(head, containsString("application/problem+json"));
                        busy++;
                    } else {
                        ok++;
                    }
                }
                assertThat("some fit", ok, greaterThanOrEqualTo(1));
                assertThat("some did not", busy, greaterThanOrEqualTo(1));
            } finally {
                for (Socket s : sockets) {
                    s.close();
                }
            }
            // The budget came back (each handler releases its share just after its answer).
            Eventually.await(
                    "a large body is let in again",
                    Duration.ofSeconds(30),
                    () -> server.http()
                                    .send("PUT", "/api/apps/after", body, "Content-Type", "application/json")
                                    .status()
                            == 204);
        }
    }

    @Test
    void aChunkedBodyIsChargedAsItArrivesAndRefusedOverTheLimit() throws Exception {
        try (TestServer server = startServer("server.max-payload-size", "1000")) {
            String chunk = "{\"data\":\"" + "y".repeat(600) + "\"}";
            String request = "PUT /api/apps/chunked HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                    + Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n"
                    + Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n0\r\n\r\n";
            TestClient.Res res = server.http().raw(request);
            TestClient.assertProblem(res, 413);
        }
    }

    /**
     * Sends {@code head}, then {@code rest} one byte every 100 ms, until the server closes the
     * connection; the milliseconds that took.
     */
    private static long trickle(int port, String head, String rest) {
        long start = System.nanoTime();
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(100);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < rest.length(); i++) {
                out.write(rest.charAt(i));
                out.flush();
                try {
                    if (in.read() < 0) {
                        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                    }
                } catch (java.net.SocketTimeoutException e) {
                    continue; // still open
                }
            }
            throw new AssertionError("the server read all of a trickling request without closing it");
        } catch (IOException e) { // reset while writing: closed too
            return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        }
    }
}
