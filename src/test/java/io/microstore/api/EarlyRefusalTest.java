package io.microstore.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import io.microstore.testing.Eventually;
import io.microstore.testing.ServerTestBase;
import io.microstore.testing.TestClient;
import io.microstore.testing.TestServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

/**
 * A request the server refuses before reading its body (413, 401, 415, 503) must
 * still show the client its status. The client here is a raw socket that sends the whole body without
 * {@code Expect: 100-continue} (as Node's fetch does) and only then reads: if the server closed the
 * connection without reading, the write fails (EPIPE / ECONNRESET) or the reset destroys the answer.
 * Repeated, because the old behaviour failed only part of the time.
 */
class EarlyRefusalTest extends ServerTestBase {
    private static final int ROUNDS = 20;
    private static final String TOKEN = "t0ken";
    private static final int MAX = 1 << 20;
    private static final int BUDGET = 256 * 1024;
    private TestServer secured;

    @Override
    protected Map<String, String> settings() {
        return Map.of("server.max-payload-size", String.valueOf(MAX));
    }

    @BeforeAll
    void startTheSecuredServer() {
        secured = startServer("server.max-payload-size", String.valueOf(MAX), "security.token", TOKEN);
    }

    @Test
    void oversizedBodySentWithoutExpectStillSees413() throws IOException {
        byte[] body = TestClient.putBody(MAX + (MAX / 2));
        for (int i = 0; i < ROUNDS; i++) {
            String answer = sendWhole(server.port(), "PUT", "/api/apps/big", "application/json", null, body);
            assertThat("round " + i + ": " + answer, answer, startsWith("HTTP/1.1 413 "));
            assertThat(answer, containsString("application/problem+json"));
        }
    }

    @Test
    void missingTokenWithABodyStillSees401() throws IOException {
        byte[] body = TestClient.putBody(MAX - 100);
        for (int i = 0; i < ROUNDS; i++) {
            String answer = sendWhole(secured.port(), "PUT", "/api/apps/locked", "application/json", null, body);
            assertThat("round " + i + ": " + answer, answer, startsWith("HTTP/1.1 401 "));
        }
    }

    @Test
    void wrongMediaTypeWithABodyStillSees415() throws IOException {
        byte[] body = TestClient.putBody(MAX - 100);
        for (int i = 0; i < ROUNDS; i++) {
            String answer = sendWhole(server.port(), "PUT", "/api/apps/typed", "text/plain", null, body);
            assertThat("round " + i + ": " + answer, answer, startsWith("HTTP/1.1 415 "));
        }
    }

    @Test
    void aBodyOverTheInFlightBudgetStillSees503WithRetryAfter() throws IOException, InterruptedException {
        // One chunked body holds the budget (alone, it is let in); every other body then gets 503.
        try (TestServer small = startServer(
                        "server.max-payload-size",
                        String.valueOf(MAX),
                        "server.max-in-flight-bytes",
                        String.valueOf(BUDGET));
                Socket holder = new Socket("127.0.0.1", small.port())) {
            holder.setSoTimeout(30_000);
            OutputStream out = holder.getOutputStream();
            String first = "{\"data\":\"" + "h".repeat(64 * 1024);
            out.write(("PUT /api/apps/holder HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                            + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                            + Integer.toHexString(first.length()) + "\r\n" + first + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // The holder is charged as its handler reads the chunk; a body admitted before that would take
            // the budget instead (and the holder get the 503). The server's gauge says when it is charged.
            Eventually.await(
                    "the holder's chunk is read: it holds the whole budget",
                    Eventually.TIMEOUT,
                    () -> InFlightBudgetTest.inFlightBytes(small.http()) >= BUDGET);
            byte[] body = TestClient.putBody(MAX / 2);
            for (int i = 0; i < ROUNDS; i++) {
                String answer = sendWhole(small.port(), "PUT", "/api/apps/pushed", "application/json", null, body);
                assertThat("round " + i + ": " + answer, answer, startsWith("HTTP/1.1 503 "));
                assertThat(answer, containsString("Retry-After: 1"));
            }
            out.write("2\r\n\"}\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(readHead(holder.getInputStream()), startsWith("HTTP/1.1 204 "));
            // the budget is free again once the holder's handler is done (just after its answer)
            Eventually.await(
                    "a body is let in again",
                    Duration.ofSeconds(30),
                    () -> sendWholeQuietly(small.port(), body).startsWith("HTTP/1.1 204 "));
        }
    }

    @Test
    void aRefusedBodyLeavesTheConnectionUsable() throws IOException {
        byte[] big = TestClient.putBody(MAX + 10);
        byte[] small = "{\"data\":1}".getBytes(StandardCharsets.US_ASCII);
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(30_000);
            write(socket.getOutputStream(), "PUT", "/api/apps/again", "application/json", null, big, false);
            String head = readHead(socket.getInputStream());
            assertThat(head, startsWith("HTTP/1.1 413 "));
            assertThat(head, not(containsString("close")));
            socket.getInputStream().readNBytes(contentLength(head));
            write(socket.getOutputStream(), "PUT", "/api/apps/again", "application/json", null, small, true);
            assertThat(readHead(socket.getInputStream()), startsWith("HTTP/1.1 204 "));
        }
    }

    private static String sendWholeQuietly(int port, byte[] body) {
        try {
            return sendWhole(port, "PUT", "/api/apps/pushed", "application/json", null, body);
        } catch (IOException e) {
            return e.toString();
        }
    }

    /**
     * Writes the whole request (failing, as a real client would, if the server reset the connection
     * meanwhile), then reads the response head.
     */
    static String sendWhole(int port, String method, String path, String type, String auth, byte[] body)
            throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            try {
                write(socket.getOutputStream(), method, path, type, auth, body, true);
            } catch (IOException e) {
                return "the write failed: " + e;
            }
            try {
                return readHead(socket.getInputStream());
            } catch (IOException e) {
                return "the read failed: " + e;
            }
        }
    }

    static void write(
            OutputStream out, String method, String path, String type, String auth, byte[] body, boolean close)
            throws IOException {
        String head = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + type + "\r\n"
                + (auth == null ? "" : "Authorization: " + auth + "\r\n")
                + "Content-Length: " + body.length + "\r\n" + (close ? "Connection: close\r\n" : "") + "\r\n";
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        for (int off = 0; off < body.length; off += 64 * 1024) { // in pieces, as a client streams a body
            out.write(body, off, Math.min(64 * 1024, body.length - off));
        }
        out.flush();
    }

    /** The response head (status line and headers); an IOException when the connection ends first. */
    static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the connection ended after " + head.size() + " bytes: " + head);
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    static int contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                return Integer.parseInt(line.substring(15).trim());
            }
        }
        return 0;
    }
}
