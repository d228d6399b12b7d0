package io.microstore.it;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The jar with a data directory: names with an unpaired UTF-16 surrogate are refused on every way in
 * (txn, import, {@code --import} of a TinyDB file), so after a compaction and a restart no app has
 * merged with another (UTF-8 would have written each of them as {@code ?}).
 */
class SurrogateNamesIT {
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void surrogateNamesAreRefusedSoNothingMergesAcrossCompactionAndRestart(@TempDir Path dir) throws Exception {
        String data = dir.resolve("data").toString();
        int txn;
        int importLines;
        String exportBefore;
        try (ChildServer server = ChildServer.start(List.of(), "--data", data)) {
            String base = server.baseUrl();
            assertEquals(
                    204,
                    send(base, "PUT", "/api/apps/%3F", "application/json", "{\"data\":\"real\"}")
                            .statusCode());
            txn = send(
                            base,
                            "POST",
                            "/api/txn",
                            "application/json",
                            "[{\"op\":\"put\",\"name\":\"\\ud800\",\"data\":1},"
                                    + "{\"op\":\"put\",\"name\":\"\\udbff\",\"data\":2}]")
                    .statusCode();
            importLines = send(
                            base,
                            "POST",
                            "/api/import?overwrite=true",
                            "application/x-ndjson",
                            "{\"name\":\"\\udc00\",\"data\":3}\n")
                    .statusCode();
            assertEquals(
                    200,
                    send(base, "POST", "/api/admin/compact", "application/json", "")
                            .statusCode());
            txn = Math.max(
                    txn,
                    send(
                                    base,
                                    "POST",
                                    "/api/txn",
                                    "application/json",
                                    "[{\"op\":\"put\",\"name\":\"x\\udfff\",\"data\":4}]")
                            .statusCode()); // into the new journal
            exportBefore = send(base, "GET", "/api/export", null, null).body();
            assertEquals(0, server.terminate(), server.output());
        }
        Path tinyDb = Files.writeString(
                dir.resolve("db.json"),
                "{\"apps\": {\"1\": {\"key\": \"fine\", \"value\": 1}, \"2\": {\"key\": \"\\ud800\", \"value\": 5}}}");
        ChildServer importing = ChildServer.launch(List.of(), "--data", data, "--import", tinyDb.toString());
        boolean served = serves(importing);
        importing.close();
        try (ChildServer again = ChildServer.start(List.of(), "--data", data)) {
            String base = again.baseUrl();
            assertEquals(
                    "[{\"name\":\"?\"}]",
                    send(base, "GET", "/api/apps", null, null).body(),
                    "no app merged into '?'");
            assertEquals(
                    "{\"name\":\"?\",\"data\":\"real\"}",
                    send(base, "GET", "/api/apps/%3F", null, null).body());
            assertEquals(
                    exportBefore, send(base, "GET", "/api/export", null, null).body());
        }
        assertEquals(400, txn, "a txn naming lone surrogates");
        assertEquals(400, importLines, "an import naming a lone surrogate");
        assertFalse(served, "--import of a file naming a lone surrogate must refuse to start: " + importing.output());
        assertEquals(1, importing.waitFor(), importing.output());
        assertTrue(
                importing.output().contains("document 2, \"key\": the app name has an unpaired UTF-16 surrogate"),
                importing.output());
    }

    /** Whether {@code server} came to serve, rather than exit. */
    private static boolean serves(ChildServer server) throws Exception {
        try {
            server.awaitPort();
            return true;
        } catch (IllegalStateException exited) {
            return false;
        }
    }

    private HttpResponse<String> send(String base, String method, String path, String type, String body)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (type != null) {
            request.header("Content-Type", type);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
