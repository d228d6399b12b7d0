package io.microstore;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/** A small HTTP/1.1 client for one server on 127.0.0.1, and the assertions the HTTP tests share. */
public final class TestHttp {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private final String base;

    public TestHttp(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    public String base() {
        return base;
    }

    public Res get(String path, String... headers) {
        return send("GET", path, (byte[]) null, headers);
    }

    public Res send(String method, String path, String body, String... headers) {
        return send(method, path, body == null ? null : body.getBytes(StandardCharsets.UTF_8), headers);
    }

    /** {@code headers} are name, value pairs. */
    public Res send(String method, String path, byte[] body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(60))
                .method(method, body == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        HttpRequest built = request.build();
        try {
            HttpResponse<byte[]> res = CLIENT.send(built, HttpResponse.BodyHandlers.ofByteArray());
            return new Res(method + " " + path, res.statusCode(), res.headers(), res.body());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + built.uri(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** PUT of {@code {"data": <json>}} to {@code /api/apps/<name>} (the name must need no escaping). */
    public Res putApp(String name, String json, String... headers) {
        String[] all = new String[headers.length + 2];
        all[0] = "Content-Type";
        all[1] = "application/json";
        System.arraycopy(headers, 0, all, 2, headers.length);
        return send("PUT", "/api/apps/" + name, "{\"data\":" + json + "}", all);
    }

    /** A response, with its request for failure messages. */
    public record Res(String request, int status, HttpHeaders headers, byte[] body) {
        public String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        public List<String> headers(String name) {
            return headers.allValues(name);
        }

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        public JsonValue json() {
            try (var reader = Json.createReader(new StringReader(text()))) {
                return reader.readValue();
            }
        }

        public String describe() {
            return request + " -> " + status + " " + headers.map() + " " + text();
        }
    }

    public static void assertStatus(Res res, int status) {
        assertThat(res.describe(), res.status(), is(status));
    }

    /** An RFC 9457 problem with {@code status}; returns it for more checks. */
    public static JsonObject assertProblem(Res res, int status) {
        assertStatus(res, status);
        assertThat(res.describe(), res.header("Content-Type"), is("application/problem+json"));
        JsonObject problem = res.json().asJsonObject();
        assertThat(res.describe(), problem.getInt("status"), is(status));
        assertThat(res.describe(), problem.getString("detail").isBlank(), is(false));
        return problem;
    }
}
