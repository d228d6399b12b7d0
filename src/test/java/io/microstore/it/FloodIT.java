package io.microstore.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.microstore.testing.TestClient;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bodies in flight: the real jar with a 256 MiB heap and its default limits takes 72
 * concurrent 10 MiB bodies (three waves of 24), sent whole without {@code Expect} by raw sockets, while a well-behaved
 * client reads. Each body gets 204 or 503 with Retry-After, never a 500, and nothing the server prints
 * mentions an OutOfMemoryError; afterwards it still takes writes.
 */
class FloodIT {
    private static final int BODIES = 24;
    private static final int SIZE = 10 * 1024 * 1024 - 64; // just under the default max-payload-size

    @Test
    void manyConcurrentLargeBodiesGet204Or503NeverAnOutOfMemoryError() throws Exception {
        // The changes feed keeps old values for clients to resume from; kept small here so the heap
        // measured is the one of bodies in flight, which is what this test is about.
        List<String> jvm = List.of("-Xmx256m", "-Dstore.changes.retain-bytes=8388608");
        try (ChildServer server = ChildServer.start(jvm);
                ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            int port = server.awaitPort();
            byte[] body = TestClient.putBody(SIZE);
            List<Future<String>> answers = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < BODIES; i++) {
                    answers.add(clients.submit(() -> put(port, "/api/apps/big", body)));
                }
                HttpClient http = HttpClient.newHttpClient();
                HttpResponse<String> read = http.send(
                        HttpRequest.newBuilder(URI.create(server.baseUrl() + "/api/apps"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, read.statusCode(), "a well-behaved read during the flood");
            }
            int ok = 0;
            for (Future<String> answer : answers) {
                String head = answer.get();
                assertTrue(
                        head.startsWith("HTTP/1.1 204 ") || head.startsWith("HTTP/1.1 503 "),
                        head + "\nthe server printed:\n" + tail(server.output()));
                if (head.startsWith("HTTP/1.1 503 ")) {
                    assertTrue(head.contains("Retry-After: "), head);
                } else {
                    ok++;
                }
            }
            assertTrue(ok > 0, "some bodies were taken");
            assertTrue(server.isAlive(), server.output());
            assertEquals(
                    "HTTP/1.1 204 ",
                    put(port, "/api/apps/small", "{\"data\":1}".getBytes(StandardCharsets.US_ASCII))
                            .substring(0, 13));
            assertFalse(server.output().contains("OutOfMemoryError"), tail(server.output()));
        }
    }

    private static String tail(String output) {
        return output.length() < 4000 ? output : output.substring(output.length() - 4000);
    }

    /** The whole body written, then the response head; a failed write or read is returned as text. */
    private static String put(int port, String path, byte[] body) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(120_000);
            OutputStream out = socket.getOutputStream();
            out.write(("PUT " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                            + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    return "the connection ended after: " + head;
                }
                head.write(b);
            }
            return head.toString(StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "failed: " + e;
        }
    }
}
