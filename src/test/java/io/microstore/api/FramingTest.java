package io.microstore.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.microstore.testing.ServerTestBase;
import io.microstore.testing.TestServer;
import org.junit.jupiter.api.Test;

import static io.microstore.api.EarlyRefusalTest.contentLength;
import static io.microstore.api.EarlyRefusalTest.readHead;
import static io.microstore.testing.TestClient.assertStatus;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

/**
 * HTTP/1.1 framing on raw sockets. A malformed chunked body is one 400 problem and
 * a closed connection (RFC 9112, section 7.1), whoever reads the body; {@code Connection: close} on a
 * request closes the connection after its answer (section 9.6). Each test reads every answer the
 * server sends on the socket until it closes, so a second answer or an open socket is a failure.
 */
class FramingTest extends ServerTestBase {
    private static final String PUT_CHUNKED = "PUT /api/apps/%s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";

    @Test
    void aChunkSizeLineEndingInABareLfGetsOne400AndTheConnectionCloses() throws IOException {
        // Only bare LFs in the body (Helidon's 500 and a second answer), and a bare LF with a CRLF after it.
        for (String body : List.of("a\n{\"data\":1}\n0\n\n", "a\n{\"data\":1}\r\n0\r\n\r\n")) {
            List<String> answers = exchange(PUT_CHUNKED.formatted("bare-lf") + body);
            assertThat(answers, hasSize(1));
            assertProblem400(answers.getFirst());
        }
        assertStatus(server.http().get("/api/apps/bare-lf"), 404);
    }

    @Test
    void badBytesWhereAChunkMustEndGet400AndTheConnectionClosesAndNothingIsStored() throws IOException {
        List<String> answers = exchange(PUT_CHUNKED.formatted("bad-end") + "a\r\n{\"data\":1}XY0\r\n\r\n");
        assertThat(answers, hasSize(1));
        assertProblem400(answers.getFirst());
        assertStatus(server.http().get("/api/apps/bad-end"), 404);
    }

    @Test
    void aMalformedChunkedBodyNoHandlerReadsStillGets400AndACloseNotASecondAnswer() throws IOException {
        // No route reads this body: the server finds the broken framing while discarding it after a 404,
        // and must not read what follows as a next request.
        List<String> answers =
                exchange("POST /nowhere HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "5\r\nhelloXY5\r\nGET /api/apps HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        assertThat(answers, hasSize(1));
        assertThat(answers.getFirst(), startsWith("HTTP/1.1 404 "));
    }

    @Test
    void connectionCloseOnARequestClosesTheConnectionAfterItsAnswer() throws IOException {
        // Pipelined: the second request is on the socket before the first is answered.
        String get = "GET /api/apps HTTP/1.1\r\nHost: 127.0.0.1\r\n";
        List<String> answers = exchange(get + "Connection: close\r\n\r\n" + get + "\r\n");
        assertThat(answers, hasSize(1));
        assertThat(answers.getFirst(), startsWith("HTTP/1.1 200 "));
        assertThat(answers.getFirst(), containsString("Connection: close"));
    }

    @Test
    void connectionCloseOnAPutWithABodyClosesTheConnectionAfterItsAnswer() throws IOException {
        String put = "PUT /api/apps/closing HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: 10\r\n";
        List<String> answers = exchange(put + "Connection: close\r\n\r\n{\"data\":1}" + put + "\r\n{\"data\":2}");
        assertThat(answers, hasSize(1));
        assertThat(answers.getFirst(), startsWith("HTTP/1.1 204 "));
        assertThat(server.http().get("/api/apps/closing").text(), containsString("\"data\":1"));
    }

    @Test
    void wellFramedChunkedBodiesKeepTheConnectionOpen() throws IOException {
        String body = "{\"data\":{\"k\":\"" + "v".repeat(100) + "\"}}";
        String split = Integer.toHexString(10) + "\r\n" + body.substring(0, 10) + "\r\n"
                + Integer.toHexString(body.length() - 10) + "\r\n" + body.substring(10) + "\r\n0\r\n\r\n";
        String requests = PUT_CHUNKED.formatted("chunked-1") + split + PUT_CHUNKED.formatted("chunked-2") + split
                + "GET /api/apps/chunked-2 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
        List<String> answers = exchange(requests);
        assertThat(answers, hasSize(3));
        assertThat(answers.get(0), startsWith("HTTP/1.1 204 "));
        assertThat(answers.get(1), startsWith("HTTP/1.1 204 "));
        assertThat(answers.get(2), startsWith("HTTP/1.1 200 "));
        assertThat(answers.get(2), containsString("v".repeat(100)));
    }

    @Test
    void aChunkedBodySentAfter100ContinueIsRead() throws IOException {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write((PUT_CHUNKED
                            .formatted("continued")
                            .replace("\r\n\r\n", "\r\nExpect: 100-continue\r\n" + "Connection: close\r\n\r\n"))
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(readHead(socket.getInputStream()), startsWith("HTTP/1.1 100 "));
            out.write("a\r\n{\"data\":7}\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(readHead(socket.getInputStream()), startsWith("HTTP/1.1 204 "));
            assertThat(socket.getInputStream().read(), is(-1));
        }
        assertThat(server.http().get("/api/apps/continued").text(), containsString("\"data\":7"));
    }

    @Test
    void anAnswerBeforeA100ContinueClosesTheConnection() throws IOException {
        // The client waits to be asked for its body; the server refuses it unread (415): whether a body
        // or a next request would come is unknown, so the connection is closed rather than left to guess.
        List<String> answers = exchange("PUT /api/apps/unasked HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain"
                + "\r\nContent-Length: 10\r\nExpect: 100-continue\r\n\r\n");
        assertThat(answers, hasSize(1));
        assertThat(answers.getFirst(), startsWith("HTTP/1.1 415 "));
    }

    @Test
    void aChunkedBodyThatStopsArrivingIsCutOffAfterTheBodyTimeout() throws IOException {
        try (TestServer quick = startServer("server.body-timeout", "PT1S")) {
            List<String> answers = exchange(quick.port(), PUT_CHUNKED.formatted("stalled") + "a\r\n{\"da");
            assertThat(
                    "no answer but a closed connection, or a 408",
                    answers.stream().allMatch(a -> a.startsWith("HTTP/1.1 408 ")),
                    is(true));
        }
        assertStatus(server.http().get("/api/apps/stalled"), 404);
    }

    private static void assertProblem400(String answer) {
        assertThat(answer, startsWith("HTTP/1.1 400 "));
        assertThat(answer, containsString("application/problem+json"));
        assertThat(answer, containsString("\"status\":400"));
    }

    /**
     * Sends {@code requests} in one write and returns every answer (head and body) the server sends until
     * it closes the connection; an open connection after 30 s of silence fails the test.
     */
    private List<String> exchange(String requests) throws IOException {
        return exchange(server.port(), requests);
    }

    private static List<String> exchange(int port, String requests) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(requests.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            List<String> answers = new ArrayList<>();
            while (true) {
                int first;
                try {
                    first = in.read();
                } catch (SocketTimeoutException e) {
                    throw new AssertionError("the connection is still open after " + answers, e);
                } catch (IOException e) { // reset: closed too
                    return answers;
                }
                if (first < 0) {
                    return answers;
                }
                String head = (char) first + readHead(in);
                ByteArrayOutputStream answer = new ByteArrayOutputStream();
                answer.writeBytes(head.getBytes(StandardCharsets.ISO_8859_1));
                answer.writeBytes(in.readNBytes(contentLength(head)));
                answers.add(answer.toString(StandardCharsets.UTF_8));
            }
        }
    }
}
