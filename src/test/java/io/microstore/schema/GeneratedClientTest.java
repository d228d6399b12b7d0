package io.microstore.schema;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.microstore.schema.client.ApiClient;
import io.microstore.schema.client.ApiException;
import io.microstore.schema.client.ApiResponse;
import io.microstore.schema.client.api.AdminApi;
import io.microstore.schema.client.api.AppsApi;
import io.microstore.schema.client.api.ChangesApi;
import io.microstore.schema.client.api.IndexesApi;
import io.microstore.schema.client.api.KeysApi;
import io.microstore.schema.client.api.SchemaApi;
import io.microstore.schema.client.model.App;
import io.microstore.schema.client.model.BadRequestProblem;
import io.microstore.schema.client.model.Change;
import io.microstore.schema.client.model.Changes;
import io.microstore.schema.client.model.Compaction;
import io.microstore.schema.client.model.GoneProblem;
import io.microstore.schema.client.model.ImportResult;
import io.microstore.schema.client.model.Index;
import io.microstore.schema.client.model.IndexDefinition;
import io.microstore.schema.client.model.Key;
import io.microstore.schema.client.model.KeyDefinition;
import io.microstore.schema.client.model.KeySecret;
import io.microstore.schema.client.model.ListItem;
import io.microstore.schema.client.model.PreconditionFailedProblem;
import io.microstore.schema.client.model.Problem;
import io.microstore.schema.client.model.PutBody;
import io.microstore.schema.client.model.QueryBody;
import io.microstore.schema.client.model.Rule;
import io.microstore.schema.client.model.TxnOperation;
import io.microstore.schema.client.model.TxnProblem;
import io.microstore.schema.client.model.TxnResult;
import io.microstore.testing.ApiContract;
import io.microstore.testing.ServerTestBase;
import io.microstore.testing.Stores;
import io.microstore.testing.TestServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The Java client that openapi-generator makes from {@code META-INF/openapi.yaml} (at
 * generate-test-sources, into target/) drives every operation of the document against the real
 * server, and its models keep every member the server sent: a model serialized again is the body the
 * server sent (nothing dropped, e.g. {@code data} of listing items under include=data, {@code etag} of
 * the 412 problem). One test runs the others' scenarios again, each from an empty store, and checks
 * that together they drive every operationId of the document, whatever order the tests run in.
 */
@Timeout(120)
class GeneratedClientTest extends ServerTestBase {
    private static final String TOKEN = "generated-client-token";
    private static final String ETAG = "\"[0-9]+\"";
    /** operationIds the generated client sent, seen by its request interceptor. */
    private static final Set<String> DRIVEN = ConcurrentHashMap.newKeySet();

    private ApiClient client;
    private ObjectMapper mapper;
    private AppsApi apps;

    @BeforeEach
    void connect() {
        client = client(http.base(), b -> {});
        mapper = client.getObjectMapper();
        apps = new AppsApi(client);
    }

    /** A generated client of {@code base}; {@code more} changes each request (a header the API methods do not set). */
    private static ApiClient client(String base, Consumer<HttpRequest.Builder> more) {
        ApiClient client = new ApiClient();
        client.updateBaseUri(base);
        client.setRequestInterceptor(b -> {
            more.accept(b);
            HttpRequest request = b.copy().build();
            String id = ApiContract.document()
                    .operationId(request.method(), request.uri().getRawPath());
            if (id != null) {
                DRIVEN.add(id);
            }
        });
        return client;
    }

    @Test
    void putGetListAndDeleteAnApp() throws Exception {
        ApiResponse<Void> put =
                apps.putAppWithHttpInfo("team/flags", new PutBody().data(Map.of("color", "blue")), null, null, null);
        assertThat(put.getStatusCode(), is(204));
        String etag = header(put, "ETag");
        assertEtag(etag);

        ApiResponse<App> got = apps.getAppWithHttpInfo("team/flags", null, null, null, null);
        assertThat(header(got, "ETag"), is(etag));
        assertCarries(got.getData(), http.get("/api/apps/team%2Fflags").text());
        assertThat(got.getData().getData(), is(Map.of("color", "blue")));
        assertThat(apps.getApp("team/flags", null, null, true, null).getName(), is("team/flags"));

        ApiException notModified =
                assertThrows(ApiException.class, () -> apps.getApp("team/flags", etag, null, null, null));
        assertThat(notModified.getCode(), is(304));
        ApiException changed =
                assertThrows(ApiException.class, () -> apps.getApp("team/flags", null, null, null, "\"0\""));
        assertThat(changed.getCode(), is(412));
        assertThat(apps.getApp("team/flags", null, null, null, etag).getName(), is("team/flags"));

        apps.putApp("config", new PutBody().data(null), null, null, null);
        List<ListItem> names = apps.listApps(null, null, null, null, null, null, null, null, null, null);
        assertThat(names.stream().map(ListItem::getName).toList(), is(List.of("config", "team/flags")));
        assertCarries(names, http.get("/api/apps").text());

        List<ListItem> withData = apps.listApps(null, null, null, null, null, null, null, "data", null, null);
        assertThat(withData.get(1).getData(), is(Map.of("color", "blue")));
        assertCarries(withData, http.get("/api/apps?include=data").text());

        List<ListItem> page = apps.listApps("team/", 1, "a", null, null, null, null, "data", false, null);
        assertThat(page.stream().map(ListItem::getName).toList(), is(List.of("team/flags")));

        ApiResponse<Void> deleted = apps.deleteAppWithHttpInfo("team/flags", etag, null);
        assertThat(deleted.getStatusCode(), is(204));
        ApiException missing =
                assertThrows(ApiException.class, () -> apps.getApp("team/flags", null, null, null, null));
        assertThat(missing.getCode(), is(404));
        assertThat(problem(missing, Problem.class).getStatus(), is(404));

        ApiException badLimit = assertThrows(
                ApiException.class, () -> apps.listApps(null, 0, null, null, null, null, null, null, null, null));
        assertThat(problem(badLimit, BadRequestProblem.class).getStatus(), is(400));

        // A query: where, order, count=exact, and the cursor of its next page.
        apps.putApp("q/1", new PutBody().data(Map.of("s", "open", "p", "2")), null, null, null);
        apps.putApp("q/2", new PutBody().data(Map.of("s", "open", "p", "1")), null, null, null);
        apps.putApp("q/3", new PutBody().data(Map.of("s", "shut", "p", "0")), null, null, null);
        ApiResponse<List<ListItem>> query =
                apps.listAppsWithHttpInfo("q/", 1, null, "{\"/s\":\"open\"}", "/p", "exact", null, null, null, null);
        assertThat(query.getData().stream().map(ListItem::getName).toList(), is(List.of("q/2")));
        assertThat(query.getHeaders().get("x-total-count"), is(List.of("2")));
        String link = query.getHeaders().get("link").getFirst();
        String cursor = java.net.URLDecoder.decode(
                link.replaceAll(".*cursor=([^>&]*).*", "$1"), java.nio.charset.StandardCharsets.UTF_8);
        List<ListItem> second =
                apps.listApps("q/", 1, null, "{\"/s\":\"open\"}", "/p", "exact", cursor, null, null, null);
        assertThat(second.stream().map(ListItem::getName).toList(), is(List.of("q/1")));
        List<ListItem> posted = apps.queryApps(
                new QueryBody().prefix("q/").where(Map.of("/s", "open")).count(QueryBody.CountEnum.EXACT));
        assertThat(posted.stream().map(ListItem::getName).toList(), is(List.of("q/1", "q/2")));
        // Rolled up at a delimiter: the prefix item is a ListItem with prefix and no name.
        List<ListItem> rolled = apps.listApps("q", null, null, null, null, null, null, null, null, "/");
        assertThat(rolled.stream().map(ListItem::getPrefix).toList(), is(List.of("q/")));
        assertThat(rolled.getFirst().getName(), is((String) null));
        for (String name : List.of("q/1", "q/2", "q/3")) {
            apps.deleteApp(name, null, null);
        }
    }

    @Test
    void aFailedPreconditionCarriesTheCurrentEtagInTheModel() throws Exception {
        apps.putApp("config", new PutBody().data(1), null, null, null);
        String current = header(apps.getAppWithHttpInfo("config", null, null, null, null), "ETag");

        ApiException stale = assertThrows(
                ApiException.class, () -> apps.putApp("config", new PutBody().data(2), "\"1000000\"", null, null));
        assertThat(stale.getCode(), is(412));
        assertThat(stale.getResponseHeaders().firstValue("ETag").orElse(null), is(current));
        PreconditionFailedProblem problem = problem(stale, PreconditionFailedProblem.class);
        assertThat(problem.getEtag(), is(current));

        ApiException exists =
                assertThrows(ApiException.class, () -> apps.putApp("config", new PutBody().data(2), null, "*", null));
        assertThat(problem(exists, PreconditionFailedProblem.class).getEtag(), is(current));

        ApiException deleteStale =
                assertThrows(ApiException.class, () -> apps.deleteApp("config", "\"1000000\"", null));
        assertThat(problem(deleteStale, PreconditionFailedProblem.class).getEtag(), is(current));
    }

    @Test
    void patchWithBothFormats() throws Exception {
        apps.putApp("config", new PutBody().data(Map.of("color", "blue", "retries", 3)), null, null, null);

        App merged = apps.patchApp("config", Map.of("data", Map.of("color", "red")), null, null);
        assertThat(merged.getData(), is(Map.of("color", "red", "retries", 3)));

        // The generated client sends a PATCH as the first media type of the document (merge patch);
        // JSON Patch needs the Content-Type set by hand.
        AppsApi jsonPatch =
                new AppsApi(client(http.base(), b -> b.setHeader("Content-Type", "application/json-patch+json")));
        App patched = jsonPatch.patchApp(
                "config", List.of(Map.of("op", "replace", "path", "/data/color", "value", "green")), null, null);
        assertThat(patched.getData(), is(Map.of("color", "green", "retries", 3)));
        assertCarries(patched, http.get("/api/apps/config").text());

        ApiException failedTest = assertThrows(
                ApiException.class,
                () -> jsonPatch.patchApp(
                        "config", List.of(Map.of("op", "test", "path", "/data/retries", "value", 4)), null, null));
        assertThat(problem(failedTest, Problem.class).getStatus(), is(409));
        ApiException refused =
                assertThrows(ApiException.class, () -> apps.patchApp("config", Map.of("name", "other"), null, null));
        assertThat(problem(refused, Problem.class).getStatus(), is(422));
        ApiException stale =
                assertThrows(ApiException.class, () -> apps.patchApp("config", Map.of("data", 1), "\"1000000\"", null));
        assertEtag(problem(stale, PreconditionFailedProblem.class).getEtag());
    }

    @Test
    void changesCarryTheirValuesAndAGoneFeedSaysWhereToResume() throws Exception {
        ChangesApi changes = new ChangesApi(client);
        long before = changes.changes(null, null, null, null, null, null, null).getLastSeq();
        apps.putApp("config", new PutBody().data(Map.of("color", "blue")), null, null, null);
        apps.deleteApp("config", null, null);

        Changes page = changes.changes(Long.toString(before), 10, "con", "data", null, null, null);
        assertThat(
                page.getResults().stream()
                        .map(Change::getOp)
                        .map(Change.OpEnum::getValue)
                        .toList(),
                is(List.of("put", "delete")));
        assertThat(page.getResults().getFirst().getData(), is(Map.of("color", "blue")));
        assertCarries(
                page,
                http.get("/api/changes?since=" + before + "&limit=10&prefix=con&include=data")
                        .text());

        Changes waited = changes.changes(
                Long.toString(page.getLastSeq()), null, null, null, java.math.BigDecimal.ZERO, null, null);
        assertThat(waited.getResults(), is(empty()));

        // a live query: the put entered {"/color": "blue"}, the delete left it
        Changes live = changes.changes(Long.toString(before), null, null, null, null, "{\"/color\":\"blue\"}", null);
        assertThat(
                live.getResults().stream()
                        .map(c -> c.getEvent().getValue()
                                + (c.getReason() == null
                                        ? ""
                                        : " " + c.getReason().getValue()))
                        .toList(),
                is(List.of("enter", "leave deleted")));

        ApiException gone = assertThrows(
                ApiException.class,
                () -> changes.changes(
                        Long.toString(page.getLastSeq() + 1_000_000), null, null, null, null, null, null));
        assertThat(gone.getCode(), is(410));
        assertThat(problem(gone, GoneProblem.class).getLastSeq(), is(page.getLastSeq()));
    }

    @Test
    void compactExportAndImport() throws Exception {
        AdminApi admin = new AdminApi(client);
        apps.putApp("a", new PutBody().data(1), null, null, null);
        apps.putApp("b", new PutBody().data(List.of(1, 2)), null, null, null);

        Compaction compaction = admin.compact();
        assertThat(compaction.getCompacted(), notNullValue());

        String exported = Files.readString(admin.exportApps().toPath());
        assertThat(exported, is(http.get("/api/export").text()));
        assertThat(exported.lines().count(), is(2L));

        ApiException conflict = assertThrows(ApiException.class, () -> admin.importApps(exported, null));
        assertThat(problem(conflict, Problem.class).getStatus(), is(409));
        Stores.empty(store);
        ImportResult imported = admin.importApps(exported, false);
        assertThat(imported.getImported(), is(2L));
        assertThat(imported.getRefused(), is(empty()));
        assertThat(admin.importApps(exported, true).getImported(), is(2L));
        assertThat(apps.getApp("b", null, null, null, null).getData(), is(List.of(1, 2)));
    }

    @Test
    void indexesAreDeclaredListedAndDropped() throws Exception {
        IndexesApi indexes = new IndexesApi(client);
        Index made = indexes.putIndex("gen-status", new IndexDefinition().paths(List.of("/status")));
        assertThat(made.getId(), is("gen-status"));
        assertThat(made.getPaths(), is(List.of("/status")));
        assertThat(indexes.getIndex("gen-status").getPaths(), is(List.of("/status")));
        assertThat(indexes.listIndexes().stream().map(Index::getId).toList(), hasItem("gen-status"));
        ApiException conflict = assertThrows(
                ApiException.class,
                () -> indexes.putIndex("gen-status", new IndexDefinition().paths(List.of("/other"))));
        assertThat(problem(conflict, Problem.class).getStatus(), is(409));
        indexes.deleteIndex("gen-status");
        ApiException gone = assertThrows(ApiException.class, () -> indexes.getIndex("gen-status"));
        assertThat(problem(gone, Problem.class).getStatus(), is(404));
    }

    @Test
    void keysAreMadeListedShownAndRevoked() throws Exception {
        KeysApi keys = new KeysApi(client);
        KeySecret made = keys.createKey(new KeyDefinition()
                .id("gen-ci")
                .addRulesItem(new Rule().prefix("team/").access(Rule.AccessEnum.WRITE)));
        assertThat(made.getId(), is("gen-ci"));
        assertThat(made.getSecret().length(), is(43));
        assertThat(keys.getKey("gen-ci").getRules().getFirst().getPrefix(), is("team/"));
        assertThat(keys.listKeys().stream().map(Key::getId).toList(), hasItem("gen-ci"));
        assertThat(keys.getOwnKey().getAdmin(), is(true)); // no security here: anyone is admin
        ApiException taken = assertThrows(ApiException.class, () -> keys.createKey(new KeyDefinition().id("gen-ci")));
        assertThat(problem(taken, Problem.class).getStatus(), is(409));
        keys.deleteKey("gen-ci");
        ApiException gone = assertThrows(ApiException.class, () -> keys.getKey("gen-ci"));
        assertThat(problem(gone, Problem.class).getStatus(), is(404));
    }

    @Test
    void theSchemaIsTheDocument() throws Exception {
        Object schema = new SchemaApi(client).getSchema();
        JsonNode served = mapper.valueToTree(schema);
        assertThat(served.path("openapi").asText(), is("3.0.3"));
        assertThat(ApiContract.document().operationIds(), hasItem("getSchema"));
        assertThat(served.path("paths").has("/api/apps/{name}"), is(true));
    }

    @Test
    void withATokenTheClientGets401UntilItSendsTheToken() throws Exception {
        try (TestServer secured = TestServer.start(store, "security.token", TOKEN)) {
            String base = "http://127.0.0.1:" + secured.port();
            ApiException refused = assertThrows(
                    ApiException.class,
                    () -> new AppsApi(client(base, b -> {}))
                            .listApps(null, null, null, null, null, null, null, null, null, null));
            assertThat(refused.getCode(), is(401));
            assertThat(
                    refused.getResponseHeaders().firstValue("WWW-Authenticate").orElse(""), containsString("Bearer"));
            assertThat(problem(refused, Problem.class).getStatus(), is(401));

            ApiClient withToken = client(base, b -> b.setHeader("Authorization", "Bearer " + TOKEN));
            new AppsApi(withToken).putApp("config", new PutBody().data(true), null, null, null);
            assertThat(
                    new AppsApi(withToken)
                            .getApp("config", null, null, null, null)
                            .getData(),
                    is(true));
            assertThat(new SchemaApi(client(base, b -> {})).getSchema(), notNullValue());
        }
    }

    @Test
    void aPutWithATtlShowsItsExpiry() throws Exception {
        ApiResponse<Void> put = apps.putAppWithHttpInfo("lease", new PutBody().data("me"), null, "*", 60);
        assertThat(put.getStatusCode(), is(204));
        String expires = header(put, "Expires");
        assertThat(expires, notNullValue());
        ApiResponse<App> got = apps.getAppWithHttpInfo("lease", null, null, null, null);
        assertThat(header(got, "Expires"), is(expires));
        assertThat(Integer.parseInt(header(got, "Expires-In")), lessThanOrEqualTo(60));
        ApiException badTtl =
                assertThrows(ApiException.class, () -> apps.putApp("lease", new PutBody().data("me"), null, null, 0));
        assertThat(problem(badTtl, BadRequestProblem.class).getStatus(), is(400));
        apps.deleteApp("lease", header(put, "ETag"), null);
    }

    @Test
    void aTransactionCommitsAllOrNothingAndItsProblemsCarryTheIndex() throws Exception {
        String lock = header(apps.putAppWithHttpInfo("lock", new PutBody().data("mine"), null, null, null), "ETag");
        apps.putApp("config", new PutBody().data(Map.of("color", "blue", "retries", 3)), null, null, null);
        apps.putApp("gone", new PutBody().data(1), null, null, null);

        ApiResponse<TxnResult> done = apps.transactionWithHttpInfo(List.of(
                new TxnOperation().op(TxnOperation.OpEnum.CHECK).name("lock").ifMatch(lock),
                new TxnOperation()
                        .op(TxnOperation.OpEnum.PUT)
                        .name("a")
                        .data(Map.of("x", 1))
                        .ifNoneMatch("*"),
                new TxnOperation().op(TxnOperation.OpEnum.PATCH).name("config").merge(Map.of("color", "red")),
                new TxnOperation().op(TxnOperation.OpEnum.DELETE).name("gone")));
        assertThat(done.getStatusCode(), is(200));
        long seq = done.getData().getSeq();
        String tag = "\\\"" + seq + "\\\"";
        assertCarries(
                done.getData(),
                "{\"seq\":" + seq + ",\"results\":["
                        + "{\"op\":\"check\",\"name\":\"lock\",\"etag\":\"" + lock.replace("\"", "\\\"") + "\"},"
                        + "{\"op\":\"put\",\"name\":\"a\",\"etag\":\"" + tag + "\"},"
                        + "{\"op\":\"patch\",\"name\":\"config\",\"etag\":\"" + tag + "\"},"
                        + "{\"op\":\"delete\",\"name\":\"gone\"}]}");
        assertThat(header(apps.getAppWithHttpInfo("a", null, null, null, null), "ETag"), is("\"" + seq + "\""));
        assertThat(apps.getApp("config", null, null, null, null).getData(), is(Map.of("color", "red", "retries", 3)));

        ApiException stale = assertThrows(
                ApiException.class,
                () -> apps.transaction(List.of(
                        new TxnOperation().op(TxnOperation.OpEnum.PUT).name("b").data(2),
                        new TxnOperation()
                                .op(TxnOperation.OpEnum.CHECK)
                                .name("a")
                                .ifMatch(lock))));
        TxnProblem refused = problem(stale, TxnProblem.class);
        assertThat(refused.getStatus(), is(412));
        assertThat(refused.getIndex(), is(1));
        assertThat(refused.getEtag(), is("\"" + seq + "\""));
        ApiException missing = assertThrows(ApiException.class, () -> apps.getApp("b", null, null, null, null));
        assertThat(missing.getCode(), is(404));

        ApiException twice = assertThrows(
                ApiException.class,
                () -> apps.transaction(List.of(
                        new TxnOperation().op(TxnOperation.OpEnum.DELETE).name("b"),
                        new TxnOperation().op(TxnOperation.OpEnum.DELETE).name("b"))));
        assertThat(problem(twice, TxnProblem.class).getIndex(), is(1));
        ApiException absent = assertThrows(
                ApiException.class,
                () -> apps.transaction(List.of(new TxnOperation()
                        .op(TxnOperation.OpEnum.PATCH)
                        .name("nothing")
                        .merge(Map.of()))));
        assertThat(problem(absent, TxnProblem.class).getStatus(), is(404));
    }

    @Test
    void everyOperationOfTheDocumentIsDriven() throws Throwable {
        DRIVEN.clear();
        for (Method scenario : scenarios()) {
            resetStore();
            connect();
            try {
                scenario.invoke(this);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }
        assertThat(
                ApiContract.document().operationIds().stream()
                        .filter(id -> !DRIVEN.contains(id))
                        .toList(),
                is(empty()));
    }

    /** The other tests of this class: each drives some operations from an empty store. */
    private List<Method> scenarios() {
        return Arrays.stream(GeneratedClientTest.class.getDeclaredMethods())
                .filter(m -> m.isAnnotationPresent(Test.class) && m.getParameterCount() == 0)
                .filter(m -> !m.getName().equals("everyOperationOfTheDocumentIsDriven"))
                .sorted(Comparator.comparing(Method::getName))
                .toList();
    }

    // --- helpers ------------------------------------------------------------------------------

    private static void assertEtag(String etag) {
        assertThat("a strong ETag: " + etag, etag != null && etag.matches(ETAG), is(true));
    }

    private static String header(ApiResponse<?> response, String name) {
        return response.getHeaders().entrySet().stream()
                .filter(e -> e.getKey().equalsIgnoreCase(name))
                .map(e -> e.getValue().getFirst())
                .findFirst()
                .orElse(null);
    }

    /**
     * The problem body of {@code e} read into the generated {@code type}; the model must keep every
     * member (and the declared status must be the status the server sent).
     */
    private <T> T problem(ApiException e, Class<T> type) throws IOException {
        assertThat(e.getResponseHeaders().firstValue("Content-Type").orElse(null), is("application/problem+json"));
        T problem = mapper.readValue(e.getResponseBody(), type);
        assertCarries(problem, e.getResponseBody());
        assertThat(mapper.readTree(e.getResponseBody()).path("status").asInt(), is(e.getCode()));
        return problem;
    }

    /** {@code model} written again as JSON is {@code sent} (ignoring members whose value is null). */
    private void assertCarries(Object model, String sent) throws IOException {
        JsonNode kept = withoutNulls(mapper.readTree(mapper.writeValueAsString(model)));
        assertThat(
                "the generated model " + model.getClass().getSimpleName() + " keeps every member of " + sent,
                kept,
                is(withoutNulls(mapper.readTree(sent))));
    }

    private static JsonNode withoutNulls(JsonNode node) {
        if (node instanceof ObjectNode object) {
            ObjectNode copy = object.objectNode();
            object.properties().forEach(e -> {
                if (!e.getValue().isNull()) {
                    copy.set(e.getKey(), withoutNulls(e.getValue()));
                }
            });
            return copy;
        }
        if (node.isArray()) {
            var copy = ((com.fasterxml.jackson.databind.node.ArrayNode) node).arrayNode();
            node.forEach(child -> copy.add(withoutNulls(child)));
            return copy;
        }
        return node;
    }
}
