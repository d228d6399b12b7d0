package io.microstore.json.patch;

import java.nio.charset.StandardCharsets;

import io.microstore.json.BadPatch;
import io.microstore.json.CompactJson;
import io.microstore.json.PatchConflict;
import io.microstore.json.PatchRefused;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.sameInstance;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * What a patch rewrites: only what it touches. The findings of the hostile-input review: Parsson's tree
 * re-rendered untouched numbers and escapes, folded repeated names, could not read long numbers (500),
 * overflowed the stack serialising a deep copy (which stopped the writer), and copied a whole object per
 * operation.
 */
class AppPatchTest {
    private static final long MAX = 10 << 20;

    private static String merge(String data, String patch) {
        return utf8(AppPatch.mergePatch(utf8(patch)).apply("app", utf8(data), MAX));
    }

    private static String jsonPatch(String data, String patch) {
        return utf8(AppPatch.jsonPatch(utf8(patch)).apply("app", utf8(data), MAX));
    }

    @Test
    void untouchedMembersKeepTheirExactBytes() {
        String data = "{\"s\":\"\\ud800x\",\"big\":1e400,\"neg\":-0,\"esc\":\"\\u0041\\/\",\"n\":1.50,\"x\":1}";
        assertThat(
                merge(data, "{\"data\":{\"x\":2}}"),
                is("{\"s\":\"\\ud800x\",\"big\":1e400,\"neg\":-0,\"esc\":\"\\u0041\\/\",\"n\":1.50,\"x\":2}"));
        assertThat(
                jsonPatch(data, "[{\"op\":\"remove\",\"path\":\"/data/x\"}]"),
                is("{\"s\":\"\\ud800x\",\"big\":1e400,\"neg\":-0,\"esc\":\"\\u0041\\/\",\"n\":1.50}"));
    }

    @Test
    void aRepeatedNameStaysAsItIsWhereNothingTouchesIt() {
        String data = "{\"a\":{\"k\":1,\"k\":2},\"b\":1}";
        assertThat(merge(data, "{\"data\":{\"b\":2}}"), is("{\"a\":{\"k\":1,\"k\":2},\"b\":2}"));
        PatchRefused e = assertThrows(PatchRefused.class, () -> merge(data, "{\"data\":{\"a\":{\"k\":3}}}"));
        assertThat(e.getMessage(), containsString("\"k\" more than once"));
    }

    @Test
    void aLoneSurrogateNameAndAQuestionMarkStayTwoMembers() {
        assertThat(merge("{\"\\ud800\":1}", "{\"data\":{\"?\":2}}"), is("{\"\\ud800\":1,\"?\":2}"));
        assertThat(merge("{\"?\":1}", "{\"data\":{\"\\ud800\":2}}"), is("{\"?\":1,\"\\ud800\":2}"));
        assertThat(
                jsonPatch("{\"?\":1}", "[{\"op\":\"add\",\"path\":\"/data/\\udbff\",\"value\":2}]"),
                is("{\"?\":1,\"\\udbff\":2}"));
        assertThat(merge("{\"\\ud800\":1}", "{\"data\":{\"\\ud800\":null}}"), is("{}"));
    }

    @Test
    void aTransactionsMergeKeepsEscapesAsAPutStoresThem() {
        byte[] patched = AppPatch.mergeData(utf8("{\"b\":true}")).apply("app", utf8("{\"a\":\"\\ud800\"}"), MAX);
        assertThat(utf8(patched), is("{\"a\":\"\\ud800\",\"b\":true}"));
    }

    @Test
    void aNumberOfAnyLengthCanBePatchedAroundAndTested() {
        String longNumber = "1" + "0".repeat(1200) + ".5e-99999999999999";
        String data = "{\"n\":" + longNumber + ",\"x\":1}";
        assertThat(merge(data, "{\"data\":{\"x\":2}}"), is("{\"n\":" + longNumber + ",\"x\":2}"));
        assertThat(jsonPatch(data, "[{\"op\":\"test\",\"path\":\"/data/n\",\"value\":" + longNumber + "}]"), is(data));
        assertThat(
                jsonPatch("{\"n\":100}", "[{\"op\":\"test\",\"path\":\"/data/n\",\"value\":1.00e2}]"),
                is("{\"n\":100}"));
        assertThrows(
                PatchConflict.class,
                () -> jsonPatch("{\"n\":-0.0}", "[{\"op\":\"test\",\"path\":\"/data/n\",\"value\":1e-400}]"));
    }

    @Test
    void aPatchThatChangesNothingGivesBackTheSameArray() {
        byte[] data = utf8("{\"a\":[1,2],\"b\":{}}");
        assertThat(
                AppPatch.jsonPatch(utf8("[{\"op\":\"test\",\"path\":\"/data/a\",\"value\":[1,2]}]"))
                        .apply("app", data, MAX),
                sameInstance(data));
        assertThat(AppPatch.mergePatch(utf8("{}")).apply("app", data, MAX), sameInstance(data));
        assertThat(AppPatch.mergePatch(utf8("{\"name\":\"app\"}")).apply("app", data, MAX), sameInstance(data));
    }

    @Test
    void copiesIntoTheirOwnDeepestChildAreRefusedNotAStackOverflow() {
        String deep = "{\"a\":".repeat(998) + "1" + "}".repeat(998); // as deep as a PUT takes
        String path = "/data" + "/a".repeat(997);
        String patch = "[{\"op\":\"copy\",\"from\":\"/data\",\"path\":\"" + path + "\"},"
                + "{\"op\":\"copy\",\"from\":\"/data\",\"path\":\"" + path + "/a\"}]";
        PatchRefused e = assertThrows(PatchRefused.class, () -> jsonPatch(deep, patch));
        assertThat(e.getMessage(), containsString("not storable"));
    }

    @Test
    void patchedDataKeepsPutsDepthLimit() {
        String deepest = "[".repeat(999) + "]".repeat(999); // the deepest data a PUT takes ({"data": ...} is one more)
        assertThat(
                jsonPatch(
                        "[".repeat(998) + "]".repeat(998),
                        "[{\"op\":\"add\",\"path\":\"/data" + "/0".repeat(998) + "\",\"value\":[]}]"),
                is(deepest));
        PatchRefused e = assertThrows(
                PatchRefused.class,
                () -> jsonPatch(deepest, "[{\"op\":\"add\",\"path\":\"/data" + "/0".repeat(999) + "\",\"value\":[]}]"));
        assertThat(e.getMessage(), containsString("not storable"));
        assertThat(
                utf8(CompactJson.member(utf8("{\"data\":" + deepest + "}"), "data")), is(deepest)); // which PUT takes
    }

    @Test
    void manyOperationsOnALargeObjectEachTouchOneMember() {
        StringBuilder data = new StringBuilder("{");
        for (int i = 0; i < 40_000; i++) {
            data.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":").append(i);
        }
        StringBuilder patch = new StringBuilder("[");
        for (int i = 0; i < 10_000; i++) {
            patch.append(i == 0 ? "" : ",")
                    .append("{\"op\":\"replace\",\"path\":\"/data/k")
                    .append(i * 4)
                    .append("\",\"value\":-1}");
        }
        String result = jsonPatch(data.append('}').toString(), patch.append(']').toString());
        assertThat(result.startsWith("{\"k0\":-1,\"k1\":1,\"k2\":2,\"k3\":3,\"k4\":-1,"), is(true));
        assertThat(result.split("-1", -1).length - 1, is(10_000));
    }

    @Test
    void insertsAndRemovesAnywhereInALongArrayKeepItsOrder() {
        StringBuilder data = new StringBuilder("[");
        for (int i = 0; i < 1000; i++) {
            data.append(i == 0 ? "" : ",").append(i);
        }
        String patch = "[{\"op\":\"add\",\"path\":\"/data/0\",\"value\":\"a\"},"
                + "{\"op\":\"add\",\"path\":\"/data/500\",\"value\":\"b\"},"
                + "{\"op\":\"remove\",\"path\":\"/data/1\"},"
                + "{\"op\":\"move\",\"from\":\"/data/999\",\"path\":\"/data/-\"},"
                + "{\"op\":\"replace\",\"path\":\"/data/2\",\"value\":\"c\"},"
                + "{\"op\":\"test\",\"path\":\"/data/499\",\"value\":\"b\"}]";
        String result = jsonPatch(data.append(']').toString(), patch);
        assertThat(result.substring(0, 15), is("[\"a\",1,\"c\",3,4,"));
        assertThat(result.contains(",498,\"b\",499,"), is(true));
        assertThat(result.endsWith(",997,999,998]"), is(true));
    }

    @Test
    void aPatchDocumentThatNamesAMemberTwiceIsNoPatch() {
        assertThrows(BadPatch.class, () -> AppPatch.mergePatch(utf8("{\"data\":{\"a\":1,\"a\":2}}")));
        assertThrows(
                BadPatch.class,
                () -> AppPatch.jsonPatch(utf8("[{\"op\":\"add\",\"path\":\"/data/x\",\"value\":{\"b\":1,\"b\":2}}]")));
    }

    @Test
    void theAddedMembersAreNamedNotEveryMember() {
        PatchRefused e = assertThrows(PatchRefused.class, () -> merge("{}", "{\"extra\":1}"));
        assertThat(e.getMessage(), is("an app has only \"name\" and \"data\"; the patch added \"extra\""));
    }

    @Test
    void theAddedMembersAreNamedAsJsonStringsAndAtMostTwenty() {
        PatchRefused odd = assertThrows(PatchRefused.class, () -> merge("{}", "{\"\":1,\"a, b\":2,\"q\\\"\":3}"));
        assertThat(
                odd.getMessage(),
                is("an app has only \"name\" and \"data\"; the patch added \"\", \"a, b\", \"q\\\"\""));
        StringBuilder many = new StringBuilder("{");
        StringBuilder named = new StringBuilder();
        for (int i = 0; i < 25; i++) {
            many.append(i == 0 ? "" : ",").append("\"m").append(i).append("\":").append(i);
            if (i < 20) {
                named.append(i == 0 ? "" : ", ").append("\"m").append(i).append('"');
            }
        }
        PatchRefused e = assertThrows(
                PatchRefused.class, () -> merge("{}", many.append('}').toString()));
        assertThat(
                e.getMessage(), is("an app has only \"name\" and \"data\"; the patch added " + named + " and 5 more"));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
