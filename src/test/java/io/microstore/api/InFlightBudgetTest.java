package io.microstore.api;

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
