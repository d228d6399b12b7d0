package io.microstore.api;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.microstore.json.CompactJson;
import io.microstore.json.JsonText;
import io.microstore.local.LocalConfig;
import io.microstore.persist.MemoryPersistence;
import io.microstore.store.Command;
import io.microstore.store.Entry;
import io.microstore.store.Names;
import io.microstore.store.Precondition;
import io.microstore.store.Store;
import io.microstore.testing.ServerTestBase;
import io.microstore.testing.Stores;
import io.microstore.testing.TestClient.Res;
import io.microstore.testing.TestServer;
import jakarta.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import static io.microstore.testing.TestClient.assertProblem;
import static io.microstore.testing.TestClient.assertStatus;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * {@code GET /api/export} and {@code POST /api/import} over HTTP: JSON lines, one app per line in
 * name order; export → import into a second, fresh server round-trips byte for byte; an import is
 * checked whole before anything is written.
 */
class TransferServiceTest extends ServerTestBase {
    private static final String NDJSON = "application/x-ndjson";

    // --- export ---------------------------------------------------------------------------------

    @Test
    void exportStreamsOneJsonLinePerAppInNameOrder() {
        Map<String, byte[]> apps = oddApps();
        apps.forEach((name, data) -> write(store, name, data));

        Res res = http.get("/api/export");
        assertStatus(res, 200);
        assertThat(res.header("Content-Type"), is(NDJSON));
        assertThat("streamed, not buffered whole", res.header("Content-Length"), is(nullValue()));
        assertThat(res.text().endsWith("\n"), is(true));

        List<String> lines = lines(res.body());
        List<String> expectedOrder = apps.keySet().stream().sorted(Names.ORDER).toList();
        assertThat(lines.size(), is(apps.size()));
        for (int i = 0; i < lines.size(); i++) {
            String name = expectedOrder.get(i);
            // exactly {"name":<name>,"data":<the stored bytes>} and nothing else on the line
            String expected = "{\"name\":" + new String(JsonText.quote(name), StandardCharsets.UTF_8) + ",\"data\":"
                    + new String(apps.get(name), StandardCharsets.UTF_8) + "}";
            assertThat("line " + (i + 1), lines.get(i), is(expected));
            try (var reader = Json.createReader(new StringReader(lines.get(i)))) {
                assertThat(reader.readObject().getString("name"), is(name));
            }
        }
    }

    @Test
    void exportOfAnEmptyStoreIsAnEmptyBody() {
        Res res = http.get("/api/export");
        assertStatus(res, 200);
        assertThat(res.header("Content-Type"), is(NDJSON));
        assertThat(res.body().length, is(0));
    }

    @Test
    void headOfExportHasTheTypeAndNoBody() {
        write(store, "head", "1".getBytes(StandardCharsets.UTF_8));
        Res res = http.send("HEAD", "/api/export", (byte[]) null);
        assertStatus(res, 200);
        assertThat(res.header("Content-Type"), is(NDJSON));
        assertThat(res.body().length, is(0));
    }

    // --- round trip -----------------------------------------------------------------------------

    @Test
    void exportThenImportIntoAFreshServerRoundTripsExactly() throws IOException {
        Map<String, byte[]> apps = oddApps();
        apps.forEach((name, data) -> write(store, name, data));
        Res exported = http.get("/api/export");
        assertStatus(exported, 200);

        try (Store fresh = newStore(Stores.FEED); // on the engine under test: a fresh prefix on etcd
                TestServer target = TestServer.start(fresh)) {
            Res imported = target.http().send("POST", "/api/import", exported.body(), "Content-Type", NDJSON);
            assertStatus(imported, 200);
            assertThat(imported.header("Content-Type"), is("application/json"));
            assertThat(imported.text(), is("{\"imported\":" + apps.size() + ",\"expired\":0,\"refused\":[]}"));

            assertThat(fresh.size(), is(apps.size()));
            apps.forEach((name, data) -> {
                Entry entry = fresh.get(name);
                assertThat(
                        name,
                        entry == null ? null : new String(entry.data(), StandardCharsets.UTF_8),
                        is(new String(data, StandardCharsets.UTF_8)));
            });
            Res again = target.http().get("/api/export");
            assertStatus(again, 200);
            assertThat(again.text(), is(exported.text()));
        }
    }

    // --- import: what is written ----------------------------------------------------------------

    @Test
    void importWritesEveryLineAndCompactsTheValues() {
        String body = "{\"name\":\"one\",\"data\":1}\n"
                + "{ \"data\" : { \"k\" : [ 1 , 2 ] } , \"name\" : \"two\" }\n"
                + "{\"name\":\"three\",\"data\":null}\n";
        Res res = importLines(body, false);
        assertStatus(res, 200);
        assertThat(res.text(), is("{\"imported\":3,\"expired\":0,\"refused\":[]}"));
        assertThat(http.get("/api/apps/two").text(), is("{\"name\":\"two\",\"data\":{\"k\":[1,2]}}"));
        assertThat(http.get("/api/apps/three").text(), is("{\"name\":\"three\",\"data\":null}"));
    }

    @Test
    void blankLinesCrlfAndALastLineWithoutNewlineAreAccepted() {
        Res res = importLines("\r\n{\"name\":\"a\",\"data\":1}\r\n\n   \n{\"name\":\"b\",\"data\":2}", false);
        assertStatus(res, 200);
        assertThat(res.text(), is("{\"imported\":2,\"expired\":0,\"refused\":[]}"));
        assertThat(text(store.get("b")), is("2"));
    }

    @Test
    void anEmptyBodyImportsNothing() {
        Res res = importLines("", false);
        assertStatus(res, 200);
        assertThat(res.text(), is("{\"imported\":0,\"expired\":0,\"refused\":[]}"));
    }

    @Test
    void aNameGivenTwiceKeepsTheLastValue() {
        Res res = importLines(
                "{\"name\":\"dup\",\"data\":1}\n{\"name\":\"other\",\"data\":0}\n" + "{\"name\":\"dup\",\"data\":2}\n",
                false);
        assertStatus(res, 200);
        assertThat(text(store.get("dup")), is("2"));
        assertThat(store.size(), is(2));
    }

    @Test
    void aLargeImportSpanningManyBatchesWritesEverything() {
        Res res = importLines(manyLines(10_000), false);
        assertStatus(res, 200);
        assertThat(res.text(), is("{\"imported\":10000,\"expired\":0,\"refused\":[]}"));
        assertThat(store.size(), is(10_000));
        assertThat(text(store.get("bulk-09999")), is("{\"i\":9999}"));
    }

    /** store.queue-capacity may be set below the importer's batch: the import must still go in whole. */
    @Test
    void aLargeImportIntoAStoreWithASmallWriteQueueWritesEverything() throws IOException {
        assumeFalse(Stores.etcdEngine(), "the write queue (store.queue-capacity) is the local engine's");
        try (Store small = Stores.open(
                        new MemoryPersistence(),
                        new LocalConfig(100, Stores.LOCAL.fsync(), Stores.LOCAL.fsyncInterval()));
                TestServer server = TestServer.start(small)) {
            Res res = server.http().send("POST", "/api/import", manyLines(1000), "Content-Type", NDJSON);
            assertThat(res.describe() + "; apps written: " + small.size(), res.status(), is(200));
            assertThat(res.text(), is("{\"imported\":1000,\"expired\":0,\"refused\":[]}"));
            assertThat(small.size(), is(1000));
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                NDJSON,
                "application/jsonl",
                "application/json",
                "application/x-ndjson; charset=utf-8",
                "Application/X-NDJSON"
            })
    void theJsonLinesTypesAreAccepted(String type) {
        Res res = http.send("POST", "/api/import", "{\"name\":\"t\",\"data\":1}\n", "Content-Type", type);
        assertStatus(res, 200);
        assertThat(text(store.get("t")), is("1"));
    }

    // --- import: existing names -----------------------------------------------------------------

    @Test
    void existingNamesAreRefusedWith409ListingThemAndNothingIsWritten() {
        write(store, "x", "\"old x\"".getBytes(StandardCharsets.UTF_8));
        write(store, "y z", "\"old y\"".getBytes(StandardCharsets.UTF_8));
        long seq = store.lastSeq();

        Res res = importLines(
                "{\"name\":\"new1\",\"data\":1}\n{\"name\":\"x\",\"data\":2}\n"
                        + "{\"name\":\"new2\",\"data\":3}\n{\"name\":\"y z\",\"data\":4}\n",
                false);
        String detail = assertProblem(res, 409).getString("detail");
        assertThat(detail, containsString("2 of the names exist already"));
        assertThat(detail, containsString("x"));
        assertThat(detail, containsString("y z"));
        assertThat(detail, not(containsString("new1")));
        assertThat(detail, containsString("overwrite"));

        assertThat(store.lastSeq(), is(seq));
        assertThat(store.get("new1"), is(nullValue()));
        assertThat(store.get("new2"), is(nullValue()));
        assertThat(text(store.get("x")), is("\"old x\""));

        assertProblem(importLines("{\"name\":\"x\",\"data\":2}\n", false), 409); // overwrite=false spelled out
    }

    @Test
    void overwriteTrueReplacesExistingNames() {
        write(store, "x", "\"old x\"".getBytes(StandardCharsets.UTF_8));
        Res res = importLines("{\"name\":\"x\",\"data\":{\"new\":true}}\n{\"name\":\"n\",\"data\":1}\n", true);
        assertStatus(res, 200);
        assertThat(res.text(), is("{\"imported\":2,\"expired\":0,\"refused\":[]}"));
        assertThat(text(store.get("x")), is("{\"new\":true}"));
        assertThat(text(store.get("n")), is("1"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"yes", "1", "TRUE", ""})
    void anOverwriteOtherThanTrueOrFalseIs400(String value) {
        Res res = http.send(
                "POST", "/api/import?overwrite=" + value, "{\"name\":\"o\",\"data\":1}\n", "Content-Type", NDJSON);
        assertThat(assertProblem(res, 400).getString("detail"), containsString("overwrite"));
        assertThat(store.get("o"), is(nullValue()));
    }

    // --- import: bad content --------------------------------------------------------------------

    static Stream<Arguments> badImports() {
        String good = "{\"name\":\"good\",\"data\":1}\n";
        return Stream.of(
                Arguments.of("not JSON", good + good + "{\"name\":\"z\",\"data\":\n", "line 3"),
                Arguments.of("garbage", "hello\n", "line 1"),
                Arguments.of("missing data", good + "{\"name\":\"z\"}\n", "line 2"),
                Arguments.of("missing name", good + "{\"data\":1}\n", "line 2"),
                Arguments.of("name not a string", good + "{\"name\":5,\"data\":1}\n", "line 2"),
                Arguments.of("not an object", good + "[1,2]\n", "line 2"),
                Arguments.of("two values on a line", good + "{\"name\":\"z\",\"data\":1} {}\n", "line 2"),
                Arguments.of("empty name", good + "\n" + "{\"name\":\"\",\"data\":1}\n", "line 3"),
                Arguments.of("control character in the name", good + "{\"name\":\"a\\u0007b\",\"data\":1}\n", "line 2"),
                Arguments.of(
                        "name over 1024 bytes",
                        good + "{\"name\":\"" + "n".repeat(1025) + "\",\"data\":1}\n",
                        "line 2"),
                Arguments.of("bad value", good + "{\"name\":\"z\",\"data\":tru}\n", "line 2"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badImports")
    void aBadLineIs400WithItsNumberAndNothingIsWritten(String what, String body, String where) {
        long seq = store.lastSeq();
        Res res = importLines(body, false);
        assertThat(assertProblem(res, 400).getString("detail"), containsString(where));
        assertThat(store.lastSeq(), is(seq));
        assertThat(store.size(), is(0));
        // overwrite does not change that
        assertProblem(importLines(body, true), 400);
        assertThat(store.size(), is(0));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "text/plain",
                "application/xml",
                "application/octet-stream",
                "multipart/form-data",
                "application/x-ndjson; charset=iso-8859-1"
            })
    void aWrongContentTypeIs415(String type) {
        Res res = http.send("POST", "/api/import", "{\"name\":\"w\",\"data\":1}\n", "Content-Type", type);
        assertProblem(res, 415);
        // advertises a type that import takes (for a wrong charset: application/json, also taken)
        assertThat(
                res.describe(),
                List.of(NDJSON, "application/jsonl", "application/json").contains(res.header("Accept")),
                is(true));
        assertThat(store.get("w"), is(nullValue()));
    }

    // --- methods --------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"PUT", "POST", "DELETE", "PATCH"})
    void exportTakesOnlyGetAndHead(String method) {
        Res res = http.send(method, "/api/export", "{}", "Content-Type", "application/json");
        assertProblem(res, 405);
        assertThat(res.header("Allow"), is("GET, HEAD"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET", "PUT", "DELETE", "PATCH"})
    void importTakesOnlyPost(String method) {
        Res res = http.send(
                method,
                "/api/import",
                method.equals("GET") || method.equals("DELETE") ? null : "{}",
                "Content-Type",
                "application/json");
        assertProblem(res, 405);
        assertThat(res.header("Allow"), is("POST"));
    }

    @Test
    void headOfImportIs405WithoutBody() {
        Res res = http.send("HEAD", "/api/import", (byte[]) null);
        assertStatus(res, 405);
        assertThat(res.header("Allow"), is("POST"));
        assertThat(res.body().length, is(0));
    }

    @Test
    void optionsAnswers204WithAllow() {
        Res export = http.send("OPTIONS", "/api/export", (byte[]) null);
        assertStatus(export, 204);
        assertThat(export.header("Allow"), is("OPTIONS, GET, HEAD"));
        Res imp = http.send("OPTIONS", "/api/import", (byte[]) null);
        assertStatus(imp, 204);
        assertThat(imp.header("Allow"), is("OPTIONS, POST"));
    }

    // --- helpers --------------------------------------------------------------------------------

    /** Odd names and values, plus enough plain ones to make the export span many buffers. */
    private static Map<String, byte[]> oddApps() {
        Map<String, String> json = new LinkedHashMap<>();
        json.put("a/b/c", "{\"path\":true}");
        json.put("with space", "\"spaced\"");
        json.put("über", "\"ü\\u00fc\\ud83d\\ude00\"");
        json.put("😀", "[\"emoji\",\"😀\"]");
        json.put("日本語", "{\"日本\":\"語\"}");
        json.put("quote\"d", "\"\\\"\"");
        json.put("back\\slash", "\"\\\\\"");
        json.put("%2F?#&=+", "0");
        json.put("\u2028line-sep", "\"\\u2028\"");
        json.put("\uE000private", "1");
        json.put("𝄞 clef", "2");
        json.put("A", "null");
        json.put("a", "false");
        json.put("z".repeat(Names.MAX_BYTES), "true");
        json.put("é".repeat(Names.MAX_BYTES / 2), "{}");
        json.put("numbers", "[0,-0,1e400,-1.5E-10,12345678901234567890123456789,3.141592653589793238462643383279]");
        json.put("nested", "[".repeat(200) + "{\"deep\":[]}" + "]".repeat(200));
        json.put(
                "big",
                "{\"blob\":\"" + "0123456789abcdef".repeat(20_000) + "\",\"list\":["
                        + Stream.iterate(0, i -> i + 1)
                                .limit(5000)
                                .map(String::valueOf)
                                .collect(Collectors.joining(","))
                        + "]}");
        for (int i = 0; i < 500; i++) {
            json.put(String.format("app-%04d", i), "{\"i\":" + i + ",\"s\":\"" + "x".repeat(i) + "\"}");
        }
        Map<String, byte[]> apps = new LinkedHashMap<>();
        json.forEach((name, value) -> apps.put(name, CompactJson.compact(value.getBytes(StandardCharsets.UTF_8))));
        return apps;
    }

    private static String manyLines(int n) {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < n; i++) {
            body.append(String.format("{\"name\":\"bulk-%05d\",\"data\":{\"i\":%d}}%n", i, i));
        }
        return body.toString();
    }

    private Res importLines(String body, boolean overwrite) {
        return http.send(
                "POST",
                "/api/import" + (overwrite ? "?overwrite=true" : "?overwrite=false"),
                body,
                "Content-Type",
                NDJSON);
    }

    private static List<String> lines(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8);
        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
        assertThat("the last line ends with a newline", lines.remove(lines.size() - 1), is(""));
        return lines;
    }

    private static void write(Store store, String name, byte[] data) {
        store.execute(new Command.Put(name, data, Precondition.NONE));
    }

    private static String text(Entry entry) {
        return entry == null ? null : new String(entry.data(), StandardCharsets.UTF_8);
    }
}
