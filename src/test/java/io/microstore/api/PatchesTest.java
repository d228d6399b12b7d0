package io.microstore.api;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import io.microstore.testing.ServerTestBase;
import io.microstore.testing.TestClient.Res;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import static io.microstore.testing.TestClient.JSON_PATCH;
import static io.microstore.testing.TestClient.MERGE;
import static io.microstore.testing.TestClient.app;
import static io.microstore.testing.TestClient.assertJson;
import static io.microstore.testing.TestClient.assertProblem;
import static io.microstore.testing.TestClient.assertStatus;
import static io.microstore.testing.TestClient.etag;
import static io.microstore.testing.TestClient.quote;
import static io.microstore.testing.TestClient.seq;
import static io.microstore.testing.TestClient.utf8;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

/** PATCH on {@code /api/apps/{name}}: JSON Merge Patch (RFC 7396) and JSON Patch (RFC 6902) over HTTP. */
class PatchesTest extends ServerTestBase {
    private static final int MAX_PAYLOAD = 16384;

    @Override
    protected Map<String, String> settings() {
        return Map.of("server.max-payload-size", String.valueOf(MAX_PAYLOAD));
    }

    // --- success ------------------------------------------------------------------------------

    @Test
    void mergePatchAnswers200WithTheNewDocumentAndEtag() {
        String before = created("m", "{\"a\":1,\"b\":{\"c\":2,\"d\":3},\"keep\":[1,2],\"arr\":[1,2,3]}");
        Res res = http.patch("m", MERGE, "{\"data\":{\"a\":10,\"b\":{\"c\":null,\"e\":4},\"arr\":[9],\"new\":\"x\"}}");
        String expected = "{\"name\":\"m\",\"data\":{\"a\":10,\"b\":{\"d\":3,\"e\":4},\"keep\":[1,2],\"arr\":[9],"
                + "\"new\":\"x\"}}";
        assertJson(res, 200, expected);
        assertThat(seq(res.header("ETag")), is(seq(before) + 1));
        Res read = http.get(app("m"));
        assertJson(read, 200, expected);
        assertThat(read.header("ETag"), is(res.header("ETag")));
        assertThat("PATCH answers what GET then serves, byte for byte", read.text(), is(res.text()));
    }

    @Test
    void mergePatchNullRemovesMembersAtAnyDepthInsideData() {
        created("n", "{\"a\":{\"b\":{\"c\":1,\"d\":2},\"e\":null},\"f\":[{\"g\":1}],\"h\":0}");
        assertJson(
                http.patch(
                        "n", MERGE, "{\"data\":{\"a\":{\"b\":{\"c\":null},\"e\":null},\"f\":null,\"missing\":null}}"),
                200,
                "{\"name\":\"n\",\"data\":{\"a\":{\"b\":{\"d\":2}},\"h\":0}}");
        // a null inside an array is a value, not a removal; a non-object patch of data replaces it
        assertJson(
                http.patch("n", MERGE, "{\"data\":{\"h\":[null,{\"x\":null}]}}"),
                200,
                "{\"name\":\"n\",\"data\":{\"a\":{\"b\":{\"d\":2}},\"h\":[null,{\"x\":null}]}}");
        assertJson(
                http.patch("n", MERGE, "{\"data\":\"now a string\",\"name\":\"n\"}"),
                200,
                "{\"name\":\"n\",\"data\":\"now a string\"}");
        assertJson(
                http.patch("n", MERGE, "{\"data\":{\"x\":{\"y\":null,\"z\":1}}}"),
                200,
                "{\"name\":\"n\",\"data\":{\"x\":{\"z\":1}}}");
        assertJson(http.patch("n", MERGE, "{}"), 200, "{\"name\":\"n\",\"data\":{\"x\":{\"z\":1}}}");
    }

    static Stream<Arguments> jsonPatches() {
        return Stream.of(
                Arguments.of(
                        "add member",
                        "{\"o\":{}}",
                        "[{\"op\":\"add\",\"path\":\"/data/o/k\",\"value\":[1]}]",
                        "{\"o\":{\"k\":[1]}}"),
                Arguments.of(
                        "add replaces a member",
                        "{\"o\":{\"k\":1}}",
                        "[{\"op\":\"add\",\"path\":\"/data/o/k\",\"value\":2}]",
                        "{\"o\":{\"k\":2}}"),
                Arguments.of(
                        "add into an array shifts",
                        "{\"a\":[1,2,3]}",
                        "[{\"op\":\"add\",\"path\":\"/data/a/1\",\"value\":\"x\"}]",
                        "{\"a\":[1,\"x\",2,3]}"),
                Arguments.of(
                        "add at the end with -",
                        "{\"a\":[[1],[2]]}",
                        "[{\"op\":\"add\",\"path\":\"/data/a/1/-\",\"value\":3}]",
                        "{\"a\":[[1],[2,3]]}"),
                Arguments.of(
                        "add at index = size",
                        "{\"a\":[1]}",
                        "[{\"op\":\"add\",\"path\":\"/data/a/1\",\"value\":2}]",
                        "{\"a\":[1,2]}"),
                Arguments.of(
                        "remove member",
                        "{\"o\":{\"k\":1,\"l\":2}}",
                        "[{\"op\":\"remove\",\"path\":\"/data/o/k\"}]",
                        "{\"o\":{\"l\":2}}"),
                Arguments.of(
                        "remove array element",
                        "{\"a\":[{\"x\":[1,2,3]}]}",
                        "[{\"op\":\"remove\",\"path\":\"/data/a/0/x/1\"}]",
                        "{\"a\":[{\"x\":[1,3]}]}"),
                Arguments.of(
                        "replace nested",
                        "{\"a\":[{\"x\":{\"y\":1}}]}",
                        "[{\"op\":\"replace\",\"path\":\"/data/a/0/x/y\",\"value\":{\"z\":null}}]",
                        "{\"a\":[{\"x\":{\"y\":{\"z\":null}}}]}"),
                Arguments.of(
                        "replace all of data",
                        "{\"a\":1}",
                        "[{\"op\":\"replace\",\"path\":\"/data\",\"value\":[true]}]",
                        "[true]"),
                Arguments.of(
                        "move member",
                        "{\"o\":{\"k\":1},\"p\":{}}",
                        "[{\"op\":\"move\",\"from\":\"/data/o/k\",\"path\":\"/data/p/k2\"}]",
                        "{\"o\":{},\"p\":{\"k2\":1}}"),
                Arguments.of(
                        "move between arrays",
                        "{\"a\":[1,2],\"b\":[3]}",
                        "[{\"op\":\"move\",\"from\":\"/data/a/0\",\"path\":\"/data/b/-\"}]",
                        "{\"a\":[2],\"b\":[3,1]}"),
                Arguments.of(
                        "move within an array",
                        "{\"a\":[1,2,3]}",
                        "[{\"op\":\"move\",\"from\":\"/data/a/0\",\"path\":\"/data/a/2\"}]",
                        "{\"a\":[2,3,1]}"),
                Arguments.of(
                        "copy object into array",
                        "{\"o\":{\"k\":[1]},\"a\":[]}",
                        "[{\"op\":\"copy\",\"from\":\"/data/o\",\"path\":\"/data/a/0\"}]",
                        "{\"o\":{\"k\":[1]},\"a\":[{\"k\":[1]}]}"),
                Arguments.of(
                        "copy then change the copy only",
                        "{\"o\":{\"k\":1}}",
                        "[{\"op\":\"copy\",\"from\":\"/data/o\",\"path\":\"/data/c\"},"
                                + "{\"op\":\"replace\",\"path\":\"/data/c/k\",\"value\":2}]",
                        "{\"o\":{\"k\":1},\"c\":{\"k\":2}}"),
                Arguments.of(
                        "test passes then replace",
                        "{\"v\":[1,{\"a\":\"b\"}]}",
                        "[{\"op\":\"test\",\"path\":\"/data/v\",\"value\":[1,{\"a\":\"b\"}]},"
                                + "{\"op\":\"replace\",\"path\":\"/data/v/0\",\"value\":2}]",
                        "{\"v\":[2,{\"a\":\"b\"}]}"),
                Arguments.of(
                        "test ignores member order",
                        "{\"a\":1,\"b\":2}",
                        "[{\"op\":\"test\",\"path\":\"/data\",\"value\":{\"b\":2,\"a\":1}}]",
                        "{\"a\":1,\"b\":2}"),
                Arguments.of("test the name", "1.5", "[{\"op\":\"test\",\"path\":\"/name\",\"value\":\"jp\"}]", "1.5"),
                Arguments.of(
                        "escaped tokens ~0 and ~1",
                        "{\"a/b\":{\"m~n\":1}}",
                        "[{\"op\":\"replace\",\"path\":\"/data/a~1b/m~0n\",\"value\":2}]",
                        "{\"a/b\":{\"m~n\":2}}"),
                Arguments.of(
                        "empty member name",
                        "{\"\":{\"\":1}}",
                        "[{\"op\":\"add\",\"path\":\"/data//\",\"value\":2}]",
                        "{\"\":{\"\":2}}"),
                Arguments.of(
                        "unicode member",
                        "{\"é日😀\":1}",
                        "[{\"op\":\"move\",\"from\":\"/data/é日😀\",\"path\":\"/data/x\"}]",
                        "{\"x\":1}"),
                Arguments.of(
                        "whole document with add at the root",
                        "{\"a\":1}",
                        "[{\"op\":\"add\",\"path\":\"\",\"value\":{\"name\":\"jp\",\"data\":{\"b\":2}}}]",
                        "{\"b\":2}"),
                Arguments.of("empty patch", "{\"a\":1}", "[]", "{\"a\":1}"),
                Arguments.of(
                        "several ops in order",
                        "{\"a\":[]}",
                        "[{\"op\":\"add\",\"path\":\"/data/a/-\",\"value\":1},{\"op\":\"add\",\"path\":\"/data/a/-\","
                                + "\"value\":2},{\"op\":\"remove\",\"path\":\"/data/a/0\"},{\"op\":\"add\",\"path\":"
                                + "\"/data/b\",\"value\":{}},{\"op\":\"move\",\"from\":\"/data/a\",\"path\":\"/data/b/a\"}]",
                        "{\"b\":{\"a\":[2]}}"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("jsonPatches")
    void jsonPatchOperationsApplyToNestedArraysAndObjects(
            String description, String data, String patch, String expected) {
        String before = created("jp", data);
        Res res = http.patch("jp", JSON_PATCH, patch);
        assertJson(res, 200, "{\"name\":\"jp\",\"data\":" + expected + "}");
        // a patch that leaves the value as it is (tests only, an empty patch) writes no new version
        assertThat(seq(res.header("ETag")), is(expected.equals(data) ? seq(before) : seq(before) + 1));
        Res read = http.get(app("jp"));
        assertThat(read.text(), is(res.text()));
        assertThat(read.header("ETag"), is(res.header("ETag")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"7", "0", "\"\"", "[]", "{}", "null", "true"})
    void tinyValuesCanBePatched(String data) {
        // stored data of one or two bytes must be as patchable as any other value
        created("tiny", data);
        assertJson(http.patch("tiny", MERGE, "{\"data\":{\"m\":1}}"), 200, "{\"name\":\"tiny\",\"data\":{\"m\":1}}");
        created("tiny", data);
        assertJson(
                http.patch(
                        "tiny",
                        JSON_PATCH,
                        "[{\"op\":\"test\",\"path\":\"/data\",\"value\":" + data + "},"
                                + "{\"op\":\"replace\",\"path\":\"/data\",\"value\":[" + data + "]}]"),
                200,
                "{\"name\":\"tiny\",\"data\":[" + data + "]}");
    }

    @Test
    void concurrentPatchesAreEachAppliedAtomically() throws Exception {
        created("counter", "{\"items\":[]}");
        int threads = 8;
        int each = 20;
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        String member = "t" + thread + "i" + i;
                        Res res;
                        int tries = 0;
                        do { // an engine may give up under contention: 503 with Retry-After, nothing applied
                            res = i % 2 == 0
                                    ? http.patch(
                                            "counter",
                                            JSON_PATCH,
                                            "[{\"op\":\"add\",\"path\":\"/data/items/-\"," + "\"value\":"
                                                    + quote(member) + "}]")
                                    : http.patch("counter", MERGE, "{\"data\":{" + quote(member) + ":true}}");
                        } while (res.status() == 503 && res.header("Retry-After") != null && ++tries < 100);
                        assertStatus(res, 200);
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        }
        JsonObject data = http.get(app("counter")).json().asJsonObject().getJsonObject("data");
        assertThat("no lost updates", data.getJsonArray("items").size(), is(threads * each / 2));
        assertThat("no lost updates", data.size(), is(1 + threads * each / 2));
    }

    // --- conflicts: nothing is applied -----------------------------------------------------------

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(
            strings = {
                "[{\"op\":\"test\",\"path\":\"/data/a\",\"value\":2}]",
                "[{\"op\":\"test\",\"path\":\"/data/a\",\"value\":\"1\"}]",
                "[{\"op\":\"test\",\"path\":\"/data/arr\",\"value\":[2,1]}]",
                "[{\"op\":\"test\",\"path\":\"/data/nope\",\"value\":null}]",
                "[{\"op\":\"remove\",\"path\":\"/data/nope\"}]",
                "[{\"op\":\"replace\",\"path\":\"/data/nope\",\"value\":1}]",
                "[{\"op\":\"add\",\"path\":\"/data/nope/x\",\"value\":1}]",
                "[{\"op\":\"add\",\"path\":\"/data/arr/3\",\"value\":1}]",
                "[{\"op\":\"add\",\"path\":\"/data/arr/x\",\"value\":1}]",
                "[{\"op\":\"add\",\"path\":\"/data/a/x\",\"value\":1}]",
                "[{\"op\":\"remove\",\"path\":\"/data/arr/2\"}]",
                "[{\"op\":\"remove\",\"path\":\"/data/arr/-\"}]",
                "[{\"op\":\"move\",\"from\":\"/data/nope\",\"path\":\"/data/b\"}]",
                "[{\"op\":\"copy\",\"from\":\"/data/arr/5\",\"path\":\"/data/b\"}]",
                "[{\"op\":\"move\",\"from\":\"/data\",\"path\":\"/data/inside\"}]",
                "[{\"op\":\"remove\",\"path\":\"/other\"}]"
            })
    void patchThatDoesNotFitTheCurrentValueIs409AndChangesNothing(String patch) {
        String before = created("c", "{\"a\":1,\"arr\":[1,2]}");
        assertProblem(http.patch("c", JSON_PATCH, patch), 409);
        assertUnchanged("c", "{\"a\":1,\"arr\":[1,2]}", before);
    }

    @Test
    void arrayIndexWithALeadingZeroIsNotAnIndex() {
        // RFC 6901 section 4: an array index is 0 or digits without a leading zero
        String before = created("c", "{\"arr\":[1,2]}");
        assertProblem(http.patch("c", JSON_PATCH, "[{\"op\":\"replace\",\"path\":\"/data/arr/01\",\"value\":9}]"), 409);
        assertUnchanged("c", "{\"arr\":[1,2]}", before);
    }

    @Test
    void jsonPatchWhoseThirdOperationFailsLeavesDocumentAndEtagUntouched() {
        String data = "{\"a\":1,\"list\":[1,2,3],\"o\":{\"x\":true}}";
        String before = created("atomic", data);
        List<String> thirds = List.of(
                "{\"op\":\"test\",\"path\":\"/data/a\",\"value\":1}", // a is 100 by then
                "{\"op\":\"remove\",\"path\":\"/data/missing\"}",
                "{\"op\":\"replace\",\"path\":\"/data/list/9\",\"value\":0}");
        for (String third : thirds) {
            String patch = "[{\"op\":\"replace\",\"path\":\"/data/a\",\"value\":100},"
                    + "{\"op\":\"remove\",\"path\":\"/data/list/0\"},"
                    + third + ","
                    + "{\"op\":\"add\",\"path\":\"/data/after\",\"value\":1}]";
            assertProblem(http.patch("atomic", JSON_PATCH, patch), 409);
            assertUnchanged("atomic", data, before);
        }
        // and the value's history goes on from the same version
        Res next = http.patch("atomic", MERGE, "{\"data\":{\"a\":2}}");
        assertStatus(next, 200);
        assertThat(seq(next.header("ETag")), greaterThan(seq(before)));
    }

    // --- refused results: 422 -------------------------------------------------------------------

    @ParameterizedTest(name = "[{index}] {0} {1}")
    @MethodSource("invalidResults")
    void patchWhoseResultIsNotAnAppIs422(String type, String patch) {
        String before = created("r", "{\"a\":1}");
        assertProblem(http.patch("r", type, patch), 422);
        assertUnchanged("r", "{\"a\":1}", before);
    }

    static Stream<Arguments> invalidResults() {
        return Stream.of(
                Arguments.of(MERGE, "{\"name\":\"other\"}"),
                Arguments.of(MERGE, "{\"name\":\"R\"}"),
                Arguments.of(MERGE, "{\"name\":null}"),
                Arguments.of(MERGE, "{\"name\":1}"),
                Arguments.of(MERGE, "{\"data\":null}"),
                Arguments.of(MERGE, "{\"extra\":1}"),
                Arguments.of(MERGE, "{\"data\":{\"b\":2},\"extra\":{}}"),
                Arguments.of(MERGE, "[1]"),
                Arguments.of(MERGE, "\"r\""),
                Arguments.of(MERGE, "null"),
                Arguments.of(MERGE, "1"),
                Arguments.of(MERGE, "12"),
                Arguments.of(JSON_PATCH, "[{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"other\"}]"),
                Arguments.of(JSON_PATCH, "[{\"op\":\"remove\",\"path\":\"/name\"}]"),
                Arguments.of(JSON_PATCH, "[{\"op\":\"remove\",\"path\":\"/data\"}]"),
                Arguments.of(JSON_PATCH, "[{\"op\":\"add\",\"path\":\"/extra\",\"value\":1}]"),
                Arguments.of(JSON_PATCH, "[{\"op\":\"move\",\"from\":\"/data\",\"path\":\"/other\"}]"),
                Arguments.of(JSON_PATCH, "[{\"op\":\"copy\",\"from\":\"/name\",\"path\":\"/alias\"}]"),
                Arguments.of(JSON_PATCH, "[{\"op\":\"add\",\"path\":\"\",\"value\":[]}]"),
                Arguments.of(JSON_PATCH, "[{\"op\":\"add\",\"path\":\"\",\"value\":{\"name\":\"x\",\"data\":1}}]"),
                Arguments.of(JSON_PATCH, "[{\"op\":\"add\",\"path\":\"\",\"value\":{\"data\":1}}]"));
    }

    @Test
    void aRefusedMemberIsNamedAloneNotWithNameAndData() {
        String before = created("r", "{\"a\":1}");
        String detail = "an app has only \"name\" and \"data\"; the patch added \"extra\"";
        assertThat(assertProblem(http.patch("r", MERGE, "{\"extra\":1}"), 422).getString("detail"), is(detail));
        assertThat(
                assertProblem(http.patch("r", JSON_PATCH, "[{\"op\":\"add\",\"path\":\"/extra\",\"value\":1}]"), 422)
                        .getString("detail"),
                is(detail));
        assertThat(
                assertProblem(http.patch("r", MERGE, "{\"data\":{\"b\":2},\"extra\":{},\"more\":[]}"), 422)
                        .getString("detail"),
                is(detail + ", \"more\""));
        assertUnchanged("r", "{\"a\":1}", before);
    }

    // --- malformed patch documents: 400 -----------------------------------------------------------

    @ParameterizedTest(name = "[{index}] {0} {1}")
    @MethodSource("malformedPatches")
    void malformedPatchDocumentIs400(String type, String patch) {
        String before = created("bad", "{\"a\":1}");
        assertProblem(http.patch("bad", type, patch), 400);
        assertUnchanged("bad", "{\"a\":1}", before);
    }

    static Stream<Arguments> malformedPatches() {
        Stream<String> jsonPatch = Stream.of(
                "{\"op\":\"add\",\"path\":\"/data/x\",\"value\":1}",
                "\"[]\"",
                "1",
                "null",
                "[1]",
                "[[]]",
                "[null]",
                "[{}]",
                "[{\"op\":\"frob\",\"path\":\"/data\"}]",
                "[{\"op\":\"ADD\",\"path\":\"/data/x\",\"value\":1}]",
                "[{\"op\":1,\"path\":\"/data/x\",\"value\":1}]",
                "[{\"path\":\"/data/x\",\"value\":1}]",
                "[{\"op\":\"add\",\"value\":1}]",
                "[{\"op\":\"remove\"}]",
                "[{\"op\":\"add\",\"path\":null,\"value\":1}]",
                "[{\"op\":\"add\",\"path\":1,\"value\":1}]",
                "[{\"op\":\"add\",\"path\":\"data/x\",\"value\":1}]",
                "[{\"op\":\"add\",\"path\":\"/data/x\"}]",
                "[{\"op\":\"replace\",\"path\":\"/data/a\"}]",
                "[{\"op\":\"test\",\"path\":\"/data/a\"}]",
                "[{\"op\":\"move\",\"path\":\"/data/b\"}]",
                "[{\"op\":\"copy\",\"path\":\"/data/b\"}]",
                "[{\"op\":\"copy\",\"from\":5,\"path\":\"/data/b\"}]",
                "[{\"op\":\"move\",\"from\":\"data/a\",\"path\":\"/data/b\"}]",
                "[{\"op\":\"test\",\"path\":\"/data/a\",\"value\":1},{\"op\":\"nope\",\"path\":\"/data/a\"}]");
        Stream<String> malformedJson = Stream.of(
                "",
                " ",
                "[",
                "[{\"op\":\"add\",",
                "{\"data\":",
                "{\"data\":1,}",
                "[1,]",
                "{'data':1}",
                "[] []",
                "{\"data\":1} x");
        return Stream.concat(
                jsonPatch.map(p -> Arguments.of(JSON_PATCH, p)),
                malformedJson.flatMap(p -> Stream.of(Arguments.of(MERGE, p), Arguments.of(JSON_PATCH, p))));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/data/~2", "/data/~", "/data/a~"})
    void pointerWithABadEscapeIs400(String path) {
        // RFC 6901 section 3: '~' must be followed by 0 or 1; such a pointer makes the patch document invalid
        String before = created("bad", "{\"a\":1}");
        assertProblem(
                http.patch("bad", JSON_PATCH, "[{\"op\":\"add\",\"path\":" + quote(path) + ",\"value\":1}]"), 400);
        assertUnchanged("bad", "{\"a\":1}", before);
    }

    @ParameterizedTest
    @ValueSource(strings = {MERGE, JSON_PATCH})
    void invalidUtf8OrTooDeepPatchBodyIs400(String type) {
        String before = created("enc", "{\"a\":1}");
        String wrap = type.equals(MERGE)
                ? "{\"data\":{\"a\":%s}}"
                : "[{\"op\":\"replace\",\"path\":\"/data/a\",\"value\":%s}]";
        List<byte[]> bodies = List.of(
                String.format(wrap, "\"\u00c3\u0028\"").getBytes(StandardCharsets.ISO_8859_1),
                String.format(wrap, "\"\u00ed\u00a0\u0080\"").getBytes(StandardCharsets.ISO_8859_1),
                String.format(wrap, "\"\u00ff\"").getBytes(StandardCharsets.ISO_8859_1),
                String.format(wrap, "\"\u00c0\u00af\"").getBytes(StandardCharsets.ISO_8859_1),
                utf8(String.format(wrap, "[".repeat(1000) + "]".repeat(1000))),
                utf8(String.format(wrap, "{\"k\":".repeat(2000) + "1" + "}".repeat(2000))));
        for (byte[] body : bodies) {
            assertProblem(http.send("PATCH", app("enc"), body, "Content-Type", type), 400);
            assertUnchanged("enc", "{\"a\":1}", before);
        }
        // 998 levels inside the patch document is still fine
        assertStatus(
                http.send(
                        "PATCH",
                        app("enc"),
                        utf8(String.format(wrap, "[".repeat(990) + "]".repeat(990))),
                        "Content-Type",
                        type),
                200);
    }

    @Test
    void patchThatNestsDataDeeperThan1000LevelsIsRefusedAndTheAppStaysPatchable() {
        // each part is accepted on its own, but together they would store what no PUT could
        String data = "[".repeat(600) + "]".repeat(600);
        String before = created("deep", data);
        String path = "/data" + "/0".repeat(599) + "/-";
        Res res = http.patch("deep", JSON_PATCH, "[{\"op\":\"add\",\"path\":\"" + path + "\",\"value\":" + data + "}]");
        assertThat(res.describe(), res.status(), anyOf(is(400), is(422)));
        assertProblem(res);
        assertUnchanged("deep", data, before);
        assertJson(http.patch("deep", MERGE, "{\"data\":1}"), 200, "{\"name\":\"deep\",\"data\":1}");
    }

    @Test
    void patchWhoseResultIsLargerThanMaxPayloadIsRefused() {
        // ten copies double the value ten times: a small request must not store what no PUT could send
        String data = "{\"a\":\"" + "x".repeat(200) + "\"}";
        String before = created("big", data);
        StringBuilder ops = new StringBuilder("[");
        for (int i = 0; i < 10; i++) {
            ops.append(i == 0 ? "" : ",")
                    .append("{\"op\":\"copy\",\"from\":\"/data\",\"path\":\"/data/c")
                    .append(i)
                    .append("\"}");
        }
        Res res = http.patch("big", JSON_PATCH, ops.append("]").toString());
        assertThat(res.describe(), res.status(), anyOf(is(413), is(422)));
        assertProblem(res);
        assertUnchanged("big", data, before);
    }

    @Test
    void patchBodyOverMaxPayloadIs413() {
        String before = created("huge", "1");
        String patch = "{\"data\":\"" + "x".repeat(MAX_PAYLOAD) + "\"}";
        assertProblem(http.patch("huge", MERGE, patch), 413);
        assertUnchanged("huge", "1", before);
    }

    // --- missing apps and media types -------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {MERGE, JSON_PATCH})
    void patchOfAMissingAppIs404AndCreatesNothing(String type) {
        String patch = type.equals(MERGE) ? "{\"data\":1}" : "[{\"op\":\"add\",\"path\":\"/data\",\"value\":1}]";
        assertProblem(http.patch("ghost", type, patch), 404);
        assertProblem(http.get(app("ghost")), 404);
        http.put("ghost", "{\"data\":0}");
        http.delete("ghost");
        assertProblem(http.patch("ghost", type, patch), 404);
        assertJson(http.get("/api/apps"), 200, "[]");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "application/json",
                "text/plain",
                "application/xml",
                "application/x-www-form-urlencoded",
                "application/patch+json",
                "application/merge-patch",
                "application/json-patch",
                "application/merge-patch+json; charset=iso-8859-1",
                "application/json-patch+json;charset=latin1"
            })
    void otherMediaTypeIs415WithAcceptPatch(String type) {
        String before = created("media", "{\"a\":1}");
        Res res = http.send("PATCH", app("media"), utf8("{\"data\":{\"a\":2}}"), "Content-Type", type);
        assertProblem(res, 415);
        assertAcceptPatch(res);
        assertUnchanged("media", "{\"a\":1}", before);
    }

    @Test
    void patchWithoutContentTypeIs415WithAcceptPatch() {
        String before = created("media", "{\"a\":1}");
        Res res = http.send("PATCH", app("media"), utf8("{\"data\":{\"a\":2}}"));
        assertProblem(res, 415);
        assertAcceptPatch(res);
        assertUnchanged("media", "{\"a\":1}", before);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "Application/Merge-Patch+JSON",
                "application/merge-patch+json; charset=utf-8",
                "application/merge-patch+json;charset=\"UTF-8\""
            })
    void mediaTypeIsMatchedCaseInsensitivelyWithAUtf8Charset(String type) {
        created("media", "{\"a\":1}");
        assertJson(
                http.send("PATCH", app("media"), utf8("{\"data\":{\"a\":2}}"), "Content-Type", type),
                200,
                "{\"name\":\"media\",\"data\":{\"a\":2}}");
    }

    // --- conditional PATCH ----------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {MERGE, JSON_PATCH})
    void conditionalPatch(String type) {
        String patch =
                type.equals(MERGE) ? "{\"data\":{\"n\":2}}" : "[{\"op\":\"replace\",\"path\":\"/data/n\",\"value\":2}]";
        String v1 = created("cond", "{\"n\":1}");
        Res ok = http.patch("cond", type, patch, "If-Match", v1);
        assertJson(ok, 200, "{\"name\":\"cond\",\"data\":{\"n\":2}}");
        String v2 = ok.header("ETag");
        assertThat(seq(v2), is(seq(v1) + 1));

        for (String[] condition : List.of(
                new String[] {"If-Match", v1},
                new String[] {"If-Match", "W/" + v2},
                new String[] {"If-None-Match", "*"},
                new String[] {"If-None-Match", v2},
                new String[] {"If-None-Match", "W/" + v2})) {
            Res stale = http.patch("cond", type, patch, condition);
            JsonObject problem = assertProblem(stale, 412);
            assertThat(problem.getString("etag"), is(v2));
            assertThat(stale.header("ETag"), is(v2));
            assertUnchanged("cond", "{\"n\":2}", v2);
        }
        String patch3 = patch.replace('2', '3');
        String patch4 = patch.replace('2', '4');
        String patch5 = patch.replace('2', '5');
        assertStatus(http.patch("cond", type, patch3, "If-Match", "*"), 200);
        assertStatus(http.patch("cond", type, patch4, "If-Match", v1 + ", " + etag(seq(v2) + 1)), 200);
        assertStatus(http.patch("cond", type, patch5, "If-None-Match", v1), 200);

        Res missing = http.patch("cond-missing", type, patch, "If-Match", "*");
        assertThat(missing.describe(), missing.status(), anyOf(is(404), is(412)));
        assertProblem(missing);
        assertProblem(http.get(app("cond-missing")), 404);
    }

    // --- names ------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"team/svc/config", "a b", "é 日本 😀", "%2F", "100%", "trailing/", "/leading", "a+b&c=d"})
    void patchOnUnusualNames(String name) {
        created(name, "{\"v\":0}");
        assertJson(
                http.patch(name, MERGE, "{\"data\":{\"v\":1}}"),
                200,
                "{\"name\":" + quote(name) + ",\"data\":{\"v\":1}}");
        assertJson(
                http.patch(
                        name,
                        JSON_PATCH,
                        "[{\"op\":\"test\",\"path\":\"/name\",\"value\":" + quote(name) + "},"
                                + "{\"op\":\"replace\",\"path\":\"/data/v\",\"value\":2}]"),
                200,
                "{\"name\":" + quote(name) + ",\"data\":{\"v\":2}}");
        assertJson(http.get(app(name)), 200, "{\"name\":" + quote(name) + ",\"data\":{\"v\":2}}");
    }

    @Test
    void patchOnRawAndEncodedSlashesIsTheSameApp() {
        http.put("team/svc/config", "{\"data\":{\"v\":0}}");
        for (String path :
                List.of("/api/apps/team/svc/config", "/api/apps/team%2Fsvc%2Fconfig", "/api/apps/team/svc%2fconfig")) {
            Res res = http.send(
                    "PATCH",
                    path,
                    utf8("[{\"op\":\"add\",\"path\":\"/data/"
                            + seq(http.get(path).header("ETag")) + "\",\"value\":" + quote(path) + "}]"),
                    "Content-Type",
                    JSON_PATCH);
            assertStatus(res, 200);
            assertThat(res.json().asJsonObject().getString("name"), is("team/svc/config"));
        }
        JsonObject data =
                http.get("/api/apps/team/svc/config").json().asJsonObject().getJsonObject("data");
        assertThat(data.toString(), data.size(), is(4));
        assertJson(http.get("/api/apps"), 200, "[{\"name\":\"team/svc/config\"}]");
    }

    @ParameterizedTest
    @ValueSource(strings = {"%zz", "a%", "%FF", "a%0Ab"})
    void patchOnAnInvalidNameIs400(String encoded) {
        // java.net.http refuses to send a bad escape, so this goes over a plain socket
        assertProblem(http.raw("PATCH", "/api/apps/" + encoded, utf8("{\"data\":1}"), "Content-Type", MERGE), 400);
    }

    // --- helpers ----------------------------------------------------------------------------------

    /** PUTs {@code data} under {@code name} and returns the ETag. */
    private String created(String name, String data) {
        Res res = http.put(name, "{\"data\":" + data + "}");
        assertStatus(res, 204);
        return res.header("ETag");
    }

    private void assertUnchanged(String name, String data, String etag) {
        Res res = http.get(app(name));
        assertJson(res, 200, "{\"name\":" + quote(name) + ",\"data\":" + data + "}");
        assertThat(res.header("ETag"), is(etag));
    }

    private static void assertAcceptPatch(Res res) {
        assertThat(
                res.describe(), res.header("Accept-Patch"), allOf(containsString(MERGE), containsString(JSON_PATCH)));
        assertThat(res.header("Accept-Patch").length(), lessThan(200));
    }
}
