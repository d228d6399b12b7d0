package io.microstore.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.webserver.WebServerConfig;
import io.microstore.Main;
import io.microstore.Settings;
import io.microstore.store.Command;
import io.microstore.store.Precondition;
import io.microstore.store.Store;
import io.microstore.testing.Stores;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/**
 * The HTTP plumbing the API tests share: a server wired by {@link Main#setup} over an in-memory store,
 * a small client bound to it (java.net.http, and raw sockets for what that client refuses to send),
 * and the assertions every test makes about statuses, JSON and problem bodies.
 */
final class Http {
    static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    static final String JSON = "application/json";
    static final String MERGE = "application/merge-patch+json";
    static final String JSON_PATCH = "application/json-patch+json";
    private static final Pattern NEXT = Pattern.compile("<([^>]*)>\\s*;\\s*rel=\"next\"");

    private final String host;
    private final int port;

    Http(int port) {
        this.host = "127.0.0.1";
        this.port = port;
    }

    /**
     * Wires {@code server} like production (the packaged application.yaml, so the same server features),
     * with an in-memory store, any free port and the given payload limit.
     */
    static Store setup(WebServerConfig.Builder server, int maxPayload) throws IOException {
        Store store = Stores.memory();
        Config config = Config.just(ConfigSources.create(Map.of(
                        "server.host", "127.0.0.1",
                        "server.port", "0",
                        "server.max-payload-size", String.valueOf(maxPayload))),
                ConfigSources.classpath("application.yaml"));
        Main.setup(server, Settings.from(config), store);
        return store;
    }

    /** Deletes every app straight in the store, not through the API under test. */
    static void empty(Store store) {
        store.list("", null, Integer.MAX_VALUE).items()
                .forEach(item -> store.execute(new Command.Delete(item.getKey(), Precondition.NONE)));
    }

    /** A response, read fully. */
    record Res(int status, HttpHeaders headers, byte[] body) {
        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        JsonValue json() {
            return parse(text());
        }

        String describe() {
            return "HTTP " + status + " " + headers.map() + " " + text();
        }
    }

    // --- requests -----------------------------------------------------------------------------

    /** The path of an app, every reserved character percent-encoded (and '.', so no dot segments). */
    static String app(String name) {
        return "/api/apps/" + encode(name).replace(".", "%2E");
    }

    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    Res get(String path, String... headers) {
        return send("GET", path, null, headers);
    }

    Res put(String name, String body, String... headers) {
        return send("PUT", app(name), utf8(body), concat(headers, "Content-Type", JSON));
    }

    Res patch(String name, String type, String body, String... headers) {
        return send("PATCH", app(name), utf8(body), concat(headers, "Content-Type", type));
    }

    Res delete(String name, String... headers) {
        return send("DELETE", app(name), null, headers);
    }

    /** {@code headers} are name, value pairs. */
    Res send(String method, String path, byte[] body, String... headers) {
        return send(CLIENT, method, path, body, headers);
    }

    Res send(HttpClient client, String method, String path, byte[] body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body))
                .expectContinue(asksFirst(body));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        try {
            HttpResponse<byte[]> res = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Res(res.statusCode(), res.headers(), res.body());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Whether to send {@code Expect: 100-continue} and wait before the body, as curl does for large
     * bodies. A server that refuses a body by its Content-Length (413) then answers before the body is
     * sent; without it the server closes the connection under a client still writing, and java.net.http
     * reports that as a reset instead of the 413 (seen in CI).
     */
    static boolean asksFirst(byte[] body) {
        return body != null && body.length > 1024;
    }

    /**
     * Sends {@code request} as it is over a new connection and reads one response (not to HEAD). For
     * what java.net.http will not send: bad request lines, odd methods, broken framing and headers.
     */
    Res raw(byte[] request) {
        try (Socket socket = new Socket(host, port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request);
            socket.getOutputStream().flush();
            return readResponse(socket.getInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(new String(request, StandardCharsets.ISO_8859_1), e);
        }
    }

    Res raw(String request) {
        return raw(request.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** A well-framed request with any method and request target, sent as they are. */
    Res raw(String method, String target, byte[] body, String... headers) {
        StringBuilder head = new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: " + host + "\r\n");
        for (int i = 0; i < headers.length; i += 2) {
            head.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
        }
        if (body != null) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.writeBytes(head.append("Connection: close\r\n\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
        request.writeBytes(body == null ? new byte[0] : body);
        return raw(request.toByteArray());
    }

    private static Res readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!endsWith(head.toByteArray(), "\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed before the end of the response head: " + head);
            }
            head.write(b);
        }
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.computeIfAbsent(lines[i].substring(0, colon).trim(), k -> new ArrayList<>())
                    .add(lines[i].substring(colon + 1).trim());
        }
        int length = Integer.parseInt(headers.getOrDefault("Content-Length", List.of("-1")).getFirst());
        byte[] body;
        try {
            body = length >= 0 ? in.readNBytes(length) : in.readAllBytes();
        } catch (SocketTimeoutException e) {
            throw new IOException("no complete body after " + head, e);
        }
        return new Res(status, HttpHeaders.of(headers, (a, b) -> true), body);
    }

    private static boolean endsWith(byte[] bytes, String end) {
        return bytes.length >= end.length() && new String(bytes, bytes.length - end.length(), end.length(),
                StandardCharsets.ISO_8859_1).equals(end);
    }

    // --- assertions ---------------------------------------------------------------------------

    static void assertStatus(Res res, int status) {
        assertThat(res.describe(), res.status, is(status));
    }

    /** Status 200..., Content-Type application/json and a body that is {@code json} semantically. */
    static void assertJson(Res res, int status, String json) {
        assertStatus(res, status);
        assertThat(res.describe(), res.header("Content-Type"), is(JSON));
        assertThat(res.describe(), res.json(), is(parse(json)));
    }

    /** An RFC 9457 problem whose {@code status} member is the HTTP status; returns the problem. */
    static JsonObject assertProblem(Res res, int status) {
        assertStatus(res, status);
        return assertProblem(res);
    }

    /** Any problem body: Content-Type, the members, {@code status} equal to the HTTP status. */
    static JsonObject assertProblem(Res res) {
        assertThat(res.describe(), res.header("Content-Type"), is("application/problem+json"));
        JsonObject problem = res.json().asJsonObject();
        assertThat(res.describe(), problem.getString("type"), is("about:blank"));
        assertThat(res.describe(), problem.getString("title").isBlank(), is(false));
        assertThat(res.describe(), problem.getInt("status"), is(res.status));
        assertThat(res.describe(), problem.getString("detail").isBlank(), is(false));
        return problem;
    }

    // --- values -------------------------------------------------------------------------------

    static JsonValue parse(String json) {
        try (var reader = Json.createReader(new StringReader(json))) {
            return reader.readValue();
        }
    }

    /** The digits of a strong ETag such as {@code "17"}; fails on anything else. */
    static long seq(String etag) {
        assertThat("a strong ETag of digits: " + etag, etag != null && etag.matches("\"[0-9]+\""), is(true));
        return Long.parseLong(etag.substring(1, etag.length() - 1));
    }

    static String etag(long seq) {
        return "\"" + seq + "\"";
    }

    /** The URL of a Link: rel="next" header, or null. */
    static String next(Res res) {
        String link = res.header("Link");
        if (link == null) {
            return null;
        }
        Matcher m = NEXT.matcher(link);
        assertThat(link, m.find(), is(true));
        return m.group(1);
    }

    /** A JSON string token (for the names and values the tests use; no control characters). */
    static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Unicode code point order, which is what listings must use. */
    static int compareCodePoints(String a, String b) {
        return Arrays.compare(a.codePoints().toArray(), b.codePoints().toArray());
    }

    private static String[] concat(String[] headers, String... more) {
        String[] all = Arrays.copyOf(headers, headers.length + more.length);
        System.arraycopy(more, 0, all, headers.length, more.length);
        return all;
    }
}
