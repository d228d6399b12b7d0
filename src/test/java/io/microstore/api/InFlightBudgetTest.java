package io.microstore.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.microstore.api.limits.InFlightBytes;
import io.microstore.testing.Eventually;
import io.microstore.testing.ServerTestBase;
import io.microstore.testing.TestClient;
import io.microstore.testing.TestServer;
import org.junit.jupiter.api.Test;

import static io.microstore.testing.TestClient.assertStatus;

/**
 * {@code server.max-in-flight-bytes} counts the body bytes that arrived, not the
 * ones a Content-Length promises, so clients that declare large bodies and send (almost) nothing cannot
 * hold the budget others need. The fact waited on is the server's own count ({@code
 * microstore_inflight_bytes}): every slow request's handler has read its first byte.
 */
class InFlightBudgetTest extends ServerTestBase {
    private static final int MAX = 1 << 20;
    private static final int SLOW = 12;

    @Test
    void largeContentLengthsWithoutTheirBytesDoNotMakeOtherRequestsGet503() throws Exception {
        // Charged by Content-Length, two of these declared bodies would fill the budget (4 x 1 MiB each).
        try (TestServer server = startServer(
                "server.max-payload-size",
                String.valueOf(MAX),
                "server.max-in-flight-bytes",
                String.valueOf(8L << 20))) {
            List<Socket> slow = new ArrayList<>();
            try {
                for (int i = 0; i < SLOW; i++) {
                    Socket socket = new Socket("127.0.0.1", server.port());
                    slow.add(socket);
                    OutputStream out = socket.getOutputStream();
                    out.write(("PUT /api/apps/slow-" + i + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                                    + "application/json\r\nContent-Length: " + MAX + "\r\n\r\n{")
                            .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
                TestClient http = server.http();
                Eventually.await(
                        "every slow body's first byte is read",
                        Duration.ofSeconds(30),
                        () -> inFlightBytes(http) >= SLOW * InFlightBytes.COST_FACTOR);
                assertStatus(
                        http.send(
                                "POST",
                                "/api/txn",
                                "[{\"op\":\"put\",\"name\":\"t\",\"data\":1}]",
                                "Content-Type",
                                "application/json"),
                        200);
                assertStatus(http.putApp("p", "2"), 204);
            } finally {
                for (Socket s : slow) {
                    s.close();
                }
            }
            Eventually.await(
                    "the slow bodies' share is released",
                    Duration.ofSeconds(30),
                    () -> inFlightBytes(server.http()) == 0);
        }
    }

    @Test
    void aBodyThatDoesNotFitBesideOthersHalfArrivedStillFinishes() throws Exception {
        // Each 1 MiB body costs 4 MiB whole: with 7 MiB, three half-arrived bodies (6 MiB) leave room for none
        // of them to finish. Each used to be refused in turn while the others held their halves.
        int half = MAX / 2;
        byte[] body = TestClient.putBody(MAX);
        try (TestServer server = startServer(
                        "server.max-payload-size", String.valueOf(MAX),
                        "server.max-in-flight-bytes", String.valueOf(7L << 20));
                Socket a = new Socket("127.0.0.1", server.port());
                Socket b = new Socket("127.0.0.1", server.port());
                Socket c = new Socket("127.0.0.1", server.port())) {
            List<Socket> bodies = List.of(a, b, c);
            for (int i = 0; i < bodies.size(); i++) {
                OutputStream out = bodies.get(i).getOutputStream();
                out.write(("PUT /api/apps/half-" + i + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                                + "application/json\r\nContent-Length: " + MAX + "\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.write(body, 0, half);
                out.flush();
            }
            TestClient http = server.http();
            long halves = 3L * half * InFlightBytes.COST_FACTOR;
            Eventually.await(
                    "every body's first half is read", Duration.ofSeconds(30), () -> inFlightBytes(http) >= halves);
            for (Socket socket : bodies) {
                long before = inFlightBytes(http);
                socket.getOutputStream().write(body, half, MAX - half);
                socket.getOutputStream().flush();
                String head = responseHead(socket);
                if (!head.startsWith("HTTP/1.1 204 ")) {
                    throw new AssertionError("with " + before + " bytes taken, a body got\n" + head);
                }
                // the next body goes on once this one's share is given back, as the server counts it
                long left = before - (long) half * InFlightBytes.COST_FACTOR;
                Eventually.await(
                        "a finished body's share is released",
                        Duration.ofSeconds(30),
                        () -> inFlightBytes(http) == left);
            }
        }
    }

    private static String responseHead(Socket socket) throws IOException {
        socket.setSoTimeout(30_000);
        InputStream in = socket.getInputStream();
        StringBuilder head = new StringBuilder();
        while (head.indexOf("\r\n\r\n") < 0) {
            int ch = in.read();
            if (ch < 0) {
                break;
            }
            head.append((char) ch);
        }
        return head.toString();
    }

    /** The server's {@code microstore_inflight_bytes} gauge. */
    static long inFlightBytes(TestClient http) {
        TestClient.Res res = http.get("/observe/metrics", "Accept", "text/plain");
        assertStatus(res, 200);
        Matcher m = Pattern.compile("(?m)^microstore_inflight_bytes(?:\\{[^}]*})? (\\S+)$")
                .matcher(res.text());
        if (!m.find()) {
            throw new AssertionError("no microstore_inflight_bytes in\n" + res.text());
        }
        return (long) Double.parseDouble(m.group(1));
    }
}
