package io.microstore.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

import io.microstore.testing.ServerTestBase;
import org.junit.jupiter.api.Test;

import static io.microstore.api.EarlyRefusalTest.readHead;
import static io.microstore.testing.TestClient.assertStatus;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

/**
 * HTTP/1.0 clients on raw sockets (nginx's default upstream requests, HAProxy's default health check):
 * the answer is HTTP/1.1 a 1.0 client reads (RFC 9112, section 2.5): never chunked, its body ending
 * with a closed connection or at its Content-Length, {@code Connection: close}, and the connection
 * closed after it, pipelined requests and {@code Connection: keep-alive} notwithstanding. Each test
 * reads until the server closes the connection, so an open connection fails it after 30 s.
 */
class Http10Test extends ServerTestBase {
    @Test
    void aGetIsAnsweredAndTheConnectionClosed() throws IOException {
        String answer = exchange("GET /observe/health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
        assertThat(answer, startsWith("HTTP/1.1 200 "));
        assertThat(answer.toLowerCase(), containsString("connection: close"));
        assertThat(answer, containsString("\"status\":\"UP\""));
    }

    @Test
    void aStreamedAnswerIsNotChunkedButEndsWithTheConnection() throws IOException {
        assertStatus(http.putApp("listed", "{\"k\":\"" + "v".repeat(100_000) + "\"}"), 204);
        // A listing over 64 KiB is streamed: to HTTP/1.1, chunked.
        String answer = exchange("GET /api/apps?include=data HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
        assertThat(answer, startsWith("HTTP/1.1 200 "));
        assertThat(answer.toLowerCase(), not(containsString("transfer-encoding")));
        String body = answer.substring(answer.indexOf("\r\n\r\n") + 4).strip();
        String expected = "[{\"name\":\"listed\",\"data\":{\"k\":\"" + "v".repeat(100_000) + "\"}}]";
        // Chunked, the body would start with a size line and end with the last chunk, "0".
        assertThat(
                "the JSON itself: " + body.substring(0, 30) + "..." + body.substring(body.length() - 30),
                body.equals(expected),
                is(true));
    }

    @Test
    void aRequestWithoutHostAsHaproxysDefaultHealthCheckSendsIsAnswered() throws IOException {
        String answer = exchange("GET /observe/health HTTP/1.0\r\n\r\n");
        assertThat(answer, startsWith("HTTP/1.1 200 "));
    }

    @Test
    void keepAliveAndAPipelinedRequestStillGetOneAnswerAndAClose() throws IOException {
        String get = "GET /observe/health HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n";
        String answer = exchange(get + get);
        assertThat(answer, startsWith("HTTP/1.1 200 "));
        assertThat(answer.toLowerCase(), containsString("connection: close"));
        assertThat("one answer only", answer.indexOf("HTTP/1.1", 1), is(-1));
    }

    @Test
    void aPutWithABodyIsStored() throws IOException {
        String answer = exchange("PUT /api/apps/ten HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: 10\r\n\r\n{\"data\":1}");
        assertThat(answer, startsWith("HTTP/1.1 204 "));
        assertThat(http.get("/api/apps/ten").text(), containsString("\"data\":1"));
    }

    @Test
    void aChangesStreamArrivesUnchunked() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream()
                    .write("GET /api/changes HTTP/1.0\r\nAccept: text/event-stream\r\n\r\n"
                            .getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = socket.getInputStream();
            String head = readHead(in);
            assertThat(head, startsWith("HTTP/1.1 200 "));
            assertThat(head.toLowerCase(), not(containsString("transfer-encoding")));
            awaitWaiting(1);
            assertStatus(http.putApp("streamed", "{\"n\":1}"), 204);
            StringBuilder seen = new StringBuilder();
            while (!seen.toString().contains("\"streamed\"")) {
                int b = in.read();
                assertThat("the stream ended after: " + seen, b >= 0, is(true));
                seen.append((char) b);
            }
            // Chunked, the stream would start with a chunk size line (hex digits) before the event.
            assertThat("unchunked: " + seen, seen.toString().matches("(?s)[0-9a-fA-F]+\r\n.*"), is(false));
        }
    }

    /** Sends {@code requests} in one write and reads all the server sends until it closes the connection. */
    private String exchange(String requests) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(requests.getBytes(StandardCharsets.ISO_8859_1));
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            try {
                socket.getInputStream().transferTo(all);
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the connection is still open after: " + all, e);
            }
            return all.toString(StandardCharsets.UTF_8);
        }
    }
}
