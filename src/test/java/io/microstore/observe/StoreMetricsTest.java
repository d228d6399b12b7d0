package io.microstore.observe;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.microstore.persist.JournalPersistence;
import io.microstore.store.Store;
import io.microstore.testing.Eventually;
import io.microstore.testing.ServerTestBase;
import io.microstore.testing.Stores;
import io.microstore.testing.TestClient.Res;
import io.microstore.testing.TestServer;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static io.microstore.testing.TestClient.assertStatus;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

/**
 * {@code /observe/metrics} in Prometheus text, over a store with a journal. The registry is global to
 * the JVM and other server tests count requests too, so counters are compared before and after what
 * a test drives, and gauges are read after binding this class's store again.
 */
class StoreMetricsTest extends ServerTestBase {
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})?\\s+(\\S+)$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");
    /** Static: a static temporary directory is there before the class's server starts, an instance one is not. */
    @TempDir
    static Path dir;

    @Override
    protected Store openStore() throws IOException {
        return Stores.open(JournalPersistence.open(Stores.journal(dir)));
    }

    /** The gauges read the store bound last; a test here that starts another server binds that one. */
    @BeforeEach
    void bindThisStore() {
        StoreMetrics.bind(store);
    }

    @Test
    void everyStoreMeterIsExposedInPrometheusTextByItsName() {
        assertStatus(http.putApp("metrics-names", "1"), 204); // at least one batch, fsync and request
        Res res = http.get("/observe/metrics", "Accept", "text/plain");
        assertStatus(res, 200);
        assertThat(res.header("Content-Type"), startsWith("text/plain"));
        Map<String, String> types = new HashMap<>();
        Matcher m = Pattern.compile("(?m)^# TYPE (\\S+) (\\S+)$").matcher(res.text());
        while (m.find()) {
            types.put(m.group(1), m.group(2));
        }
        Map<String, String> expected = Map.of(
                "microstore_apps", "gauge",
                "microstore_last_seq", "gauge",
                "microstore_journal_bytes", "gauge",
                "microstore_snapshot_bytes", "gauge",
                "microstore_queue_depth", "gauge",
                "microstore_subscribers", "gauge",
                "microstore_batch_size", "summary",
                "microstore_fsync_seconds", "summary",
                "microstore_compactions_total", "counter",
                "microstore_requests_total", "counter");
        expected.forEach((name, type) -> assertThat(name + " in\n" + res.text(), types.get(name), is(type)));
        Metrics metrics = Metrics.parse(res.text());
        for (String name : expected.keySet()) {
            String sample = name.equals("microstore_batch_size") || name.equals("microstore_fsync_seconds")
                    ? name + "_count"
                    : name;
            assertThat(sample + " has no sample", metrics.samples(sample), not(empty()));
        }
        assertThat(
                metrics.value(
                        "microstore_requests_total", "method", "PUT", "route", "/api/apps/{name}", "status", "204"),
                greaterThanOrEqualTo(1.0));
    }

    @Test
    void appsLastSeqJournalBytesBatchesAndFsyncsFollowThePuts() {
        Metrics before = metrics();
        for (int i = 0; i < 3; i++) {
            assertStatus(http.putApp("metrics-put-" + i + "-" + System.nanoTime(), "{\"i\":" + i + "}"), 204);
        }
        Metrics after = metrics();
        assertThat(after.value("microstore_apps"), is(before.value("microstore_apps") + 3));
        assertThat(after.value("microstore_apps"), is((double) store.size()));
        assertThat(after.value("microstore_last_seq"), is(before.value("microstore_last_seq") + 3));
        assertThat(after.value("microstore_last_seq"), is((double) store.lastSeq()));
        assertThat(after.value("microstore_journal_bytes"), greaterThan(before.value("microstore_journal_bytes")));
        assertThat(
                after.value("microstore_batch_size_count"),
                greaterThanOrEqualTo(before.value("microstore_batch_size_count") + 1));
        assertThat(after.value("microstore_batch_size_sum"), is(before.value("microstore_batch_size_sum") + 3));
        assertThat(
                after.value("microstore_fsync_seconds_count"),
                greaterThanOrEqualTo(before.value("microstore_fsync_seconds_count") + 1));
        assertThat(
                after.value("microstore_fsync_seconds_sum"), greaterThan(before.value("microstore_fsync_seconds_sum")));
    }

    @Test
    void requestsAreCountedByMethodRouteAndStatus() throws InterruptedException {
        assertStatus(http.putApp("metrics-req", "1"), 204);
        String etag = http.get("/api/apps/metrics-req").header("ETag");
        Metrics before = metrics();

        assertStatus(http.get("/api/apps/metrics-req"), 200);
        assertStatus(http.get("/api/apps/metrics-req"), 200);
        assertStatus(http.get("/api/apps/metrics-missing"), 404);
        assertStatus(http.putApp("metrics-req", "2", "If-Match", "\"0\""), 412);
        assertStatus(http.putApp("metrics-req", "3", "If-Match", etag), 204);
        assertStatus(http.get("/api/apps"), 200);
        assertStatus(http.get("/api/changes?since=0&limit=1"), 200);
        assertStatus(http.send("DELETE", "/api/export", (byte[]) null), 405);
        assertStatus(http.get("/nowhere/metrics-secret"), 404);

        Metrics after = metrics();
        assertDelta(before, after, 2, "GET", "/api/apps/{name}", "200");
        assertDelta(before, after, 1, "GET", "/api/apps/{name}", "404");
        assertDelta(before, after, 1, "PUT", "/api/apps/{name}", "412");
        assertDelta(before, after, 1, "PUT", "/api/apps/{name}", "204");
        assertDelta(before, after, 1, "GET", "/api/apps", "200");
        assertDelta(before, after, 1, "GET", "/api/changes", "200");
        assertDelta(before, after, 1, "DELETE", "/api/export", "405");
        assertDelta(before, after, 1, "GET", "other", "404");
    }

    /** The 401 comes from a filter (KeyAuth), not from a route handler: it must be counted as 401 all the same. */
    @Test
    void unauthorizedRequestsAreCountedAs401() throws InterruptedException {
        try (TestServer secured = TestServer.start(store, "security.token", "s3cret")) {
            Metrics before = metrics();
            assertStatus(secured.http().get("/api/apps/metrics-auth"), 401);
            assertStatus(secured.http().get("/api/apps/metrics-auth", "Authorization", "Bearer s3cret"), 404);
            Metrics after = metrics();
            assertDelta(before, after, 1, "GET", "/api/apps/{name}", "401");
            assertDelta(before, after, 1, "GET", "/api/apps/{name}", "404");
        }
    }

    @Test
    void appNamesNeverAppearAsLabelValues() {
        List<String> names = List.of("zebra-secret-app", "über-geheim", "has%20space");
        for (String name : names) {
            assertStatus(http.putApp(name.replace("ü", "%C3%BC"), "1"), 204);
            assertStatus(http.get("/api/apps/" + name.replace("ü", "%C3%BC")), 200);
        }
        assertStatus(http.get("/api/apps/missing-secret-app"), 404);
        assertStatus(
                http.send(
                        "PATCH", "/api/apps/patched-secret-app", "{}", "Content-Type", "application/merge-patch+json"),
                404);
        Metrics metrics = metrics();
        List<String> leaked = new ArrayList<>();
        for (Sample s : metrics.samples) {
            s.labels.values().stream()
                    .filter(v -> v.contains("secret") || v.contains("geheim") || v.contains("space"))
                    .forEach(v -> leaked.add(s.name + s.labels));
        }
        assertThat(leaked, is(empty()));
        List<String> routes = metrics.samples("microstore_requests_total").stream()
                .map(s -> s.labels.get("route"))
                .distinct()
                .toList();
        assertThat(routes.toString(), routes.contains("/api/apps/{name}"), is(true));
        for (String route : routes) { // every route is one of a fixed set
            assertThat(
                    route,
                    List.of(
                                    "/",
                                    "/api/apps",
                                    "/api/apps/",
                                    "/api/apps/{name}",
                                    "/api/changes",
                                    "/api/txn",
                                    "/api/query",
                                    "/api/schema",
                                    "/api/export",
                                    "/api/import",
                                    "/api/admin/compact",
                                    "/api/indexes",
                                    "/api/indexes/{id}",
                                    "/api/keys",
                                    "/api/keys/{id}",
                                    "/ui",
                                    "/openapi",
                                    "/observe",
                                    "other")
                            .contains(route),
                    is(true));
        }
    }

    /** Like app names, request methods come from clients: an invented one must not become a series of its own. */
    @Test
    void inventedMethodsDoNotBecomeLabelValues() {
        for (String method : List.of("BREWCOFFEE", "XYZZY7")) {
            assertThat(http.send(method, "/api/schema", (byte[]) null).status(), greaterThanOrEqualTo(400));
        }
        List<String> methods = metrics().samples("microstore_requests_total").stream()
                .map(s -> s.labels.get("method"))
                .distinct()
                .toList();
        assertThat(methods.toString(), methods.contains("BREWCOFFEE") || methods.contains("XYZZY7"), is(false));
    }

    @Test
    void compactionsCountAndTheSnapshotSizeShowsAfterPostCompact() throws InterruptedException {
        assertStatus(http.putApp("metrics-compact", "{\"big\":\"" + "x".repeat(500) + "\"}"), 204);
        Metrics before = metrics();
        assertThat(before.value("microstore_journal_bytes"), greaterThan(0.0));
        Res res = http.send("POST", "/api/admin/compact", (byte[]) null);
        assertStatus(res, 200);
        JsonObject body = res.json().asJsonObject();
        assertThat(res.describe(), body.getBoolean("compacted"), is(true));
        Metrics after = metrics();
        assertThat(after.value("microstore_compactions_total"), is(before.value("microstore_compactions_total") + 1));
        assertThat(after.value("microstore_snapshot_bytes"), is((double)
                body.getJsonNumber("bytes").longValue()));
        assertThat(after.value("microstore_journal_bytes"), is(0.0));
        assertDelta(before, after, 1, "POST", "/api/admin/compact", "200");
    }

    @Test
    void subscribersCountAWaitingLongPoll() throws Exception {
        assertThat(metrics().value("microstore_subscribers"), is(0.0));
        CompletableFuture<Res> poll = CompletableFuture.supplyAsync(() -> http.get("/api/changes?wait=60"));
        awaitGauge("microstore_subscribers", 1.0);
        assertStatus(http.putApp("metrics-wake", "1"), 204);
        assertStatus(poll.get(60, TimeUnit.SECONDS), 200);
        awaitGauge("microstore_subscribers", 0.0);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource
    void routeNamesThePathWithoutTheAppName(String path, String route) {
        assertThat(StoreMetrics.route(path), is(route));
    }

    static Stream<Arguments> routeNamesThePathWithoutTheAppName() {
        return Stream.of(
                Arguments.of("/", "/"),
                Arguments.of("/api/apps", "/api/apps"),
                Arguments.of("/api/apps/", "/api/apps/"),
                Arguments.of("/api/apps/x", "/api/apps/{name}"),
                Arguments.of("/api/apps/a/b c/ü😀", "/api/apps/{name}"),
                Arguments.of("/api/apps//", "/api/apps/{name}"),
                Arguments.of("/api/changes", "/api/changes"),
                Arguments.of("/api/schema", "/api/schema"),
                Arguments.of("/api/export", "/api/export"),
                Arguments.of("/api/import", "/api/import"),
                Arguments.of("/api/admin/compact", "/api/admin/compact"),
                Arguments.of("/api/admin/secret", "other"),
                Arguments.of("/api/appsx", "other"),
                Arguments.of("/api", "other"),
                Arguments.of("/openapi", "/openapi"),
                Arguments.of("/openapi/ui/index.html", "/openapi"),
                Arguments.of("/observe/metrics", "/observe"),
                Arguments.of("/observe/health/ready", "/observe"),
                Arguments.of("/favicon.ico", "other"),
                Arguments.of("/some-app-name", "other"));
    }

    private void assertDelta(Metrics before, Metrics after, double delta, String method, String route, String status)
            throws InterruptedException {
        String[] labels = {"method", method, "route", route, "status", status};
        double expected = before.value("microstore_requests_total", labels) + delta;
        // The filter counts a request once its response is sent, so the client may read the metrics first:
        // the count is awaited up to the expected one, then must be exactly that.
        double counted = after.value("microstore_requests_total", labels) >= expected
                ? after.value("microstore_requests_total", labels)
                : Eventually.await(
                        method + " " + route + " " + status + " counted",
                        Eventually.TIMEOUT,
                        () -> metrics().value("microstore_requests_total", labels),
                        v -> v >= expected);
        assertThat(method + " " + route + " " + status, counted, is(expected));
    }

    private void awaitGauge(String name, double value) throws InterruptedException {
        Eventually.await(
                name + " = " + value, Eventually.TIMEOUT, () -> metrics().value(name), v -> v == value);
    }

    private Metrics metrics() {
        Res res = http.get("/observe/metrics");
        assertStatus(res, 200);
        return Metrics.parse(res.text());
    }

    private record Sample(String name, Map<String, String> labels, double value) {}

    /** The samples of a Prometheus text exposition. */
    private record Metrics(List<Sample> samples) {
        static Metrics parse(String text) {
            List<Sample> samples = new ArrayList<>();
            for (String line : text.split("\n")) {
                Matcher m = SAMPLE.matcher(line.trim());
                if (line.startsWith("#") || !m.matches()) {
                    continue;
                }
                Map<String, String> labels = new HashMap<>();
                Matcher l = LABEL.matcher(m.group(2) == null ? "" : m.group(2));
                while (l.find()) {
                    labels.put(l.group(1), l.group(2));
                }
                samples.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(3))));
            }
            return new Metrics(samples);
        }

        List<Sample> samples(String name) {
            return samples.stream().filter(s -> s.name.equals(name)).toList();
        }

        /** The sum of the samples of {@code name} with these label values (0 when there is none yet). */
        double value(String name, String... labels) {
            return samples(name).stream()
                    .filter(s -> {
                        for (int i = 0; i < labels.length; i += 2) {
                            if (!labels[i + 1].equals(s.labels.get(labels[i]))) {
                                return false;
                            }
                        }
                        return true;
                    })
                    .mapToDouble(Sample::value)
                    .sum();
        }
    }
}
