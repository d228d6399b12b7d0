package io.microstore.store;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import io.microstore.api.wire.ImportFormats;
import io.microstore.testing.Stores;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@link ImportFormats} and {@link Importer}: the old service's TinyDB file, JSON lines, and how a list of items
 * is written.
 */
class ImporterTest {
    private static final String LONG_NAME = "z".repeat(Names.MAX_BYTES);

    /**
     * A db.json as the old Flask + TinyDB service wrote it (Python's json: ASCII only, ", " and ": "),
     * its documents in no particular order; document 10 was written after document 2, so its value
     * of "dup" is the one the old service served.
     */
    private static final String TINYDB = """
            {"_default": {"1": {"note": "not an app"}}, "apps": {\
            "10": {"key": "dup", "value": "from id 10"}, \
            "3": {"key": "/", "value": null}, \
            "1": {"key": "a/b c", "value": false}, \
            "12": {"key": "\\u00fcber \\ud83d\\ude00", "value": {"nested": {"list": [1, [2, [3, {"deep": true}]]], "empty": {}}}}, \
            "2": {"key": "dup", "value": "from id 2"}, \
            "5": {"key": " spaced name ", "value": 123456789012345678901234567890}, \
            "4": {"key": "say \\"hi\\"", "value": 1.5e+300}, \
            "7": {"key": "\\u65e5\\u672c\\u8a9e", "value": -0.25}, \
            "6": {"key": "LONG", "value": {}}, \
            "9": {"key": "back\\\\slash", "value": []}, \
            "8": {"key": "escapes", "value": "\\u00e9\\u4e2d\\ud83d\\ude00 \\"q\\" \\\\ \\n\\t\\u0001/"}, \
            "11": {"key": "%2F?#", "value": [null, true, false, 0, -1, 2.5e-07, "", {}, [], 1.0]}\
            }, "users": {"1": {"name": "bob"}}}""".replace("LONG", LONG_NAME);

    /** The apps of {@link #TINYDB} in document id order, with their values. */
    private static final List<Map.Entry<String, String>> DOCUMENTS = List.of(
            Map.entry("a/b c", "false"),
            Map.entry("dup", "\"from id 2\""),
            Map.entry("/", "null"),
            Map.entry("say \"hi\"", "1.5e+300"),
            Map.entry(" spaced name ", "123456789012345678901234567890"),
            Map.entry(LONG_NAME, "{}"),
            Map.entry("日本語", "-0.25"),
            Map.entry("escapes", "\"é中😀 \\\"q\\\" \\\\ \\n\\t\\u0001/\""),
            Map.entry("back\\slash", "[]"),
            Map.entry("dup", "\"from id 10\""),
            Map.entry("%2F?#", "[null,true,false,0,-1,2.5e-07,\"\",{},[],1.0]"),
            Map.entry("über 😀", "{\"nested\":{\"list\":[1,[2,[3,{\"deep\":true}]]],\"empty\":{}}}"));

    private Store store;

    @BeforeEach
    void open() throws IOException {
        store = Stores.memory();
    }

    @AfterEach
    void close() {
        store.close();
    }

    // --- the old service's TinyDB file ----------------------------------------------------------

    @Test
    void aTinyDbFileGivesItsAppsInDocumentIdOrder() {
        List<Importer.Item> items = ImportFormats.fromTinyDb(utf8(TINYDB));
        assertThat(
                items.stream().map(Importer.Item::name).toList(),
                is(DOCUMENTS.stream().map(Map.Entry::getKey).toList()));
        for (int i = 0; i < items.size(); i++) {
            assertSameJson(
                    DOCUMENTS.get(i).getKey(),
                    items.get(i).data(),
                    DOCUMENTS.get(i).getValue());
        }
    }

    @Test
    void everyAppOfATinyDbFileIsImportedWithItsValueAndTheHigherIdWinsForADuplicate() {
        Importer.Report report = Importer.run(store, ImportFormats.fromFile(utf8(TINYDB)), false);
        Map<String, String> expected = new LinkedHashMap<>();
        DOCUMENTS.forEach(d -> expected.put(d.getKey(), d.getValue())); // later ids replace earlier ones
        assertThat(report.imported(), is(expected.size()));
        assertThat(report.refused(), is(empty()));
        assertThat(store.size(), is(expected.size()));
        expected.forEach((name, value) -> {
            Entry entry = store.get(name);
            assertThat("missing " + name, entry == null, is(false));
            assertSameJson(name, entry.data(), value);
        });
        assertThat(new String(store.get("dup").data(), StandardCharsets.UTF_8), is("\"from id 10\""));
        assertThat(store.get("not an app"), is(nullValue()));
        assertThat(store.get("bob"), is(nullValue()));
    }

    @Test
    void fromFileRecognizesATinyDbFileOnOneLineAndIndented() {
        List<Importer.Item> oneLine = ImportFormats.fromFile(utf8(TINYDB));
        String indented = TINYDB.replace("{\"key\"", "\n        {\"key\"").replace("}, \"", "},\n    \"");
        assertThat(indented.lines().count() > 10, is(true));
        List<Importer.Item> fromIndented = ImportFormats.fromFile(utf8(indented));
        assertThat(fromIndented.size(), is(DOCUMENTS.size()));
        for (int i = 0; i < DOCUMENTS.size(); i++) {
            assertThat(fromIndented.get(i).name(), is(oneLine.get(i).name()));
            assertThat(
                    new String(fromIndented.get(i).data(), StandardCharsets.UTF_8),
                    is(new String(oneLine.get(i).data(), StandardCharsets.UTF_8)));
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{\"apps\": {}, \"apps\": {}} | the file's top object",
                "{\"apps\": {\"1\": {\"key\": \"a\", \"value\": 1}, \"1\": {\"key\": \"b\", \"value\": 2}}} | the \"apps\" table",
                "{\"apps\": {\"1\": {\"key\": \"a\", \"value\": 1, \"key\": \"b\"}}} | document 1"
            })
    void aTinyDbFileNamingAMemberTwiceIsRefusedSayingWhere(String fileAndWhere) {
        String[] parts = fileAndWhere.split(" \\| ");
        byte[] file = utf8(parts[0]);
        for (ImportRejected e : List.of(
                assertThrows(ImportRejected.class, () -> ImportFormats.fromFile(file)),
                assertThrows(ImportRejected.class, () -> ImportFormats.fromTinyDb(file)))) {
            assertThat(e.getMessage(), containsString(parts[1] + ": the object names the member"));
        }
    }

    @Test
    void theValuesAreStoredAsCompactJson() {
        Importer.run(store, ImportFormats.fromTinyDb(utf8(TINYDB)), false);
        String nested = new String(store.get("über 😀").data(), StandardCharsets.UTF_8);
        assertThat(nested, is("{\"nested\":{\"list\":[1,[2,[3,{\"deep\":true}]]],\"empty\":{}}}"));
        assertThat(
                new String(store.get(" spaced name ").data(), StandardCharsets.UTF_8),
                is("123456789012345678901234567890"));
    }

    @Test
    void anIntegerOfThousandsOfDigitsKeepsEveryDigit() {
        // Python ints have no size limit, and the old service stored whatever JSON it was given;
        // JSON lines (and PUT) keep such a number as it is
        String digits = "9".repeat(3000);
        List<Importer.Item> line = ImportFormats.fromJsonLines(utf8("{\"name\":\"huge\",\"data\":" + digits + "}"));
        assertThat(new String(line.get(0).data(), StandardCharsets.UTF_8), is(digits));
        String file = "{\"apps\": {\"1\": {\"key\": \"huge\", \"value\": " + digits + "}}}";
        Importer.run(store, ImportFormats.fromFile(utf8(file)), false);
        assertThat(new String(store.get("huge").data(), StandardCharsets.UTF_8), is(digits));
    }

    @Test
    void anEmptyAppsTableImportsNothing() {
        assertThat(ImportFormats.fromFile(utf8("{\"_default\": {}, \"apps\": {}}")), is(empty()));
        assertThat(Importer.run(store, List.of(), false).imported(), is(0));
    }

    // --- malformed TinyDB files -----------------------------------------------------------------

    @Test
    void aFileThatIsNotJsonIsRejected() {
        ImportRejected e = assertThrows(
                ImportRejected.class,
                () -> ImportFormats.fromTinyDb(utf8("{\"apps\": {\"1\": {\"key\": \"a\", \"value\": 1}")));
        assertThat(e.getMessage(), containsString("not valid JSON"));
        assertThat(e.conflicts(), is(empty()));
        ImportRejected lines = assertThrows(ImportRejected.class, () -> ImportFormats.fromFile(utf8("hello, world")));
        assertThat(lines.getMessage(), containsString("not valid JSON"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"_default\": {}}", "{\"_default\": {}, \"apps\": [1, 2]}", "{\"apps\": null}", "[]"})
    void aFileWithoutAnAppsTableIsRejected(String file) {
        ImportRejected e = assertThrows(ImportRejected.class, () -> ImportFormats.fromTinyDb(utf8(file)));
        assertThat(e.getMessage(), containsString("\"apps\""));
    }

    /** What --import FILE says about a db.json that has no apps table: about the apps table, not JSON lines. */
    @Test
    void fromFileSaysThatATinyDbFileHasNoAppsTable() {
        ImportRejected e = assertThrows(
                ImportRejected.class,
                () -> ImportFormats.fromFile(utf8("{\"_default\": {\"1\": {\"key\": \"a\", \"value\": 1}}}")));
        assertThat(e.getMessage(), containsString("apps"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{\"value\": 1}", // no key
                "{\"key\": 5, \"value\": 1}", // key not a string
                "{\"key\": null, \"value\": 1}",
                "{\"key\": \"a\"}", // no value
                "\"just a string\"",
                "[\"a\", 1]"
            })
    void aDocumentThatIsNotKeyAndValueIsRejectedByItsId(String document) {
        String file = "{\"apps\": {\"1\": {\"key\": \"fine\", \"value\": 1}, \"7\": " + document + "}}";
        ImportRejected e = assertThrows(ImportRejected.class, () -> ImportFormats.fromTinyDb(utf8(file)));
        assertThat(e.getMessage(), containsString("document 7"));
        assertThat(e.getMessage(), containsString("\"key\""));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\\u0001b", "tab\\there", "line\\nbreak", "\\u007f", "\\u0085"})
    void aControlCharacterInAKeyIsRejected(String key) {
        String file = "{\"apps\": {\"1\": {\"key\": \"fine\", \"value\": 1}, \"2\": {\"key\": \"" + key
                + "\", \"value\": 1}}}";
        ImportRejected e = assertThrows(ImportRejected.class, () -> ImportFormats.fromFile(utf8(file)));
        assertThat(e.getMessage(), containsString("document 2"));
        assertThat(e.getMessage(), containsString("control character"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"\\ud800", "\\udbff", "x\\udc00", "\\ude00\\ud83d"})
    void aKeyWithAnUnpairedSurrogateIsRejectedNamingTheDocumentAndItsKey(String key) {
        // UTF-8 cannot hold it: it would be written as "?" and merge with the app really named "?"
        String file =
                "{\"apps\": {\"1\": {\"key\": \"?\", \"value\": 1}, \"12\": {\"key\": \"" + key + "\", \"value\": 2}}}";
        for (byte[] bytes : List.of(utf8(file), utf8(file.replace("\"12\"", "\"1\\u0032\"")))) {
            ImportRejected e = assertThrows(ImportRejected.class, () -> ImportFormats.fromFile(bytes));
            assertThat(e.getMessage(), containsString("document 12"));
            assertThat(e.getMessage(), containsString("\"key\""));
            assertThat(e.getMessage(), containsString("unpaired UTF-16 surrogate"));
        }
    }

    @Test
    void anEmptyOrTooLongKeyIsRejected() {
        for (String key : List.of("", "z".repeat(Names.MAX_BYTES + 1), "é".repeat(Names.MAX_BYTES / 2) + "x")) {
            String file = "{\"apps\": {\"3\": {\"key\": \"" + key + "\", \"value\": 1}}}";
            ImportRejected e = assertThrows(ImportRejected.class, () -> ImportFormats.fromTinyDb(utf8(file)));
            assertThat(e.getMessage(), containsString("document 3"));
        }
    }

    // --- JSON lines -----------------------------------------------------------------------------

    @Test
    void jsonLinesTakeCrlfBlankLinesAndALastLineWithoutNewline() {
        String body = "\r\n{\"name\":\"a\",\"data\":1}\r\n\n  \t \n\r\n{\"name\":\"b\",\"data\":{ \"x\" : [ 2 ] }}\r\n"
                + "{\"name\":\"c\",\"data\":\"no newline\"}";
        List<Importer.Item> items = ImportFormats.fromJsonLines(utf8(body));
        assertThat(items.stream().map(Importer.Item::name).toList(), is(List.of("a", "b", "c")));
        assertThat(new String(items.get(1).data(), StandardCharsets.UTF_8), is("{\"x\":[2]}"));
        assertThat(new String(items.get(2).data(), StandardCharsets.UTF_8), is("\"no newline\""));
        assertThat(
                ImportFormats.fromJsonLines(utf8("{\"name\":\"d\",\"data\":4}\r"))
                        .get(0)
                        .name(),
                is("d"));
        assertThat(ImportFormats.fromJsonLines(new byte[0]), is(empty()));
        assertThat(ImportFormats.fromJsonLines(utf8("\n\r\n\n")), is(empty()));
    }

    /** A blank line is JSON whitespace only (RFC 8259: space, tab, CR; LF ends the line), not what Java calls blank. */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "\u3000",
                "\u001c",
                "\u00a0",
                "\u2028",
                "\u000b",
                "\f",
                " \u0085 ",
                "\t\u2003\r",
                "\u0000",
                "\ufeff"
            })
    void aLineOfOtherWhitespaceIsNotBlankButRefusedByItsNumber(String line) {
        String body = "{\"name\":\"a\",\"data\":1}\n \t\r \n" + line + "\n{\"name\":\"b\",\"data\":2}\n";
        ImportRejected e = assertThrows(ImportRejected.class, () -> ImportFormats.fromJsonLines(utf8(body)));
        assertThat(e.getMessage(), containsString("line 3"));
        assertThat(ImportFormats.fromJsonLines(utf8(" \t \r\r \n\t\r\n")), is(empty()));
    }

    @Test
    void jsonLinesKeepUnicodeNamesAndTheirOtherMembersAreIgnored() {
        List<Importer.Item> items = ImportFormats.fromJsonLines(
                utf8("{\"seq\":5,\"name\":\"\\u00fc😀 /x\",\"data\":[1],\"extra\":true}\n"));
        assertThat(items.get(0).name(), is("ü😀 /x"));
        assertThat(new String(items.get(0).data(), StandardCharsets.UTF_8), is("[1]"));
    }

    @Test
    void aBadJsonLineIsRejectedByItsNumberCountingBlankLines() {
        String body = "{\"name\":\"a\",\"data\":1}\r\n\r\n{\"name\":\"b\",\"data\":}\r\n";
        ImportRejected e = assertThrows(ImportRejected.class, () -> ImportFormats.fromJsonLines(utf8(body)));
        assertThat(e.getMessage(), containsString("line 3"));
        ImportRejected missing = assertThrows(
                ImportRejected.class,
                () -> ImportFormats.fromJsonLines(utf8("{\"name\":\"a\",\"data\":1}\n{\"name\":\"b\"}")));
        assertThat(missing.getMessage(), containsString("line 2"));
        ImportRejected badName = assertThrows(
                ImportRejected.class, () -> ImportFormats.fromJsonLines(utf8("{\"name\":\"a\\u0000\",\"data\":1}")));
        assertThat(badName.getMessage(), containsString("line 1"));
        assertThat(badName.getMessage(), containsString("control character"));
    }

    @Test
    void aJsonLineNamingAnUnpairedSurrogateIsRejectedByItsNumber() {
        for (String name : List.of("\\ud800", "\\udbff", "a\\udfff", "\\ud83d\\ud83d\\ude00")) {
            String body = "{\"name\":\"?\",\"data\":1}\n\n{\"name\":\"" + name + "\",\"data\":2}\n";
            ImportRejected e = assertThrows(ImportRejected.class, () -> ImportFormats.fromJsonLines(utf8(body)));
            assertThat(e.getMessage(), containsString("line 3"));
            assertThat(e.getMessage(), containsString("unpaired UTF-16 surrogate"));
        }
    }

    @Test
    void fromFileReadsAnExportAsJsonLines() {
        List<Importer.Item> items =
                ImportFormats.fromFile(utf8("{\"name\":\"a\",\"data\":1}\n{\"name\":\"b\",\"data\":2}\n"));
        assertThat(items.stream().map(Importer.Item::name).toList(), is(List.of("a", "b")));
        // one line that happens to be a single JSON value is still JSON lines
        assertThat(
                ImportFormats.fromFile(utf8("{\"name\":\"apps\",\"data\":{\"apps\":1}}"))
                        .get(0)
                        .name(),
                is("apps"));
    }

    // --- run: writing the items -----------------------------------------------------------------

    @Test
    void existingNamesRejectTheWholeImportWithTheConflictsAndWriteNothing() {
        put("b", "1");
        put("d", "2");
        long seq = store.lastSeq();
        List<Importer.Item> items = items("a", "b", "c", "d");
        ImportRejected e = assertThrows(ImportRejected.class, () -> Importer.run(store, items, false));
        assertThat(e.conflicts(), is(List.of("b", "d")));
        assertThat(e.getMessage(), containsString("b, d"));
        assertThat(store.lastSeq(), is(seq));
        assertThat(store.get("a"), is(nullValue()));
        assertThat(store.get("c"), is(nullValue()));
        assertThat(new String(store.get("b").data(), StandardCharsets.UTF_8), is("1"));
    }

    @Test
    void manyConflictsAreAllReportedButTheMessageNamesTwenty() {
        List<String> names =
                IntStream.range(0, 25).mapToObj(i -> String.format("c%02d", i)).toList();
        names.forEach(n -> put(n, "0"));
        ImportRejected e = assertThrows(
                ImportRejected.class, () -> Importer.run(store, items(names.toArray(String[]::new)), false));
        assertThat(e.conflicts(), is(names));
        assertThat(e.getMessage(), containsString("25 of the names"));
        assertThat(e.getMessage(), containsString("c19"));
        assertThat(e.getMessage(), not(containsString("c20")));
        assertThat(e.getMessage(), endsWith(", ..."));
    }

    @Test
    void overwriteReplacesExistingNames() {
        put("b", "\"old\"");
        Importer.Report report = Importer.run(store, items("a", "b"), true);
        assertThat(report.imported(), is(2));
        assertThat(report.refused(), is(empty()));
        assertThat(new String(store.get("b").data(), StandardCharsets.UTF_8), is("\"value of b\""));
    }

    @Test
    void aNameGivenTwiceIsWrittenOnceWithTheLastValue() {
        List<Importer.Item> items = new ArrayList<>(items("x", "y"));
        items.add(new Importer.Item("x", utf8("\"second\"")));
        long seq = store.lastSeq();
        Importer.Report report = Importer.run(store, items, false);
        assertThat(report.imported(), is(2));
        assertThat(store.lastSeq(), is(seq + 1)); // one commit: all of the import or none of it
        assertThat(store.get("y").seq(), is(seq + 1));
        assertThat(new String(store.get("x").data(), StandardCharsets.UTF_8), is("\"second\""));
    }

    @Test
    void moreItemsThanOneBatchAreAllWritten() {
        String[] names = IntStream.range(0, 9000).mapToObj(i -> "n" + i).toArray(String[]::new);
        assertThat(Importer.run(store, items(names), false).imported(), is(9000));
        assertThat(store.size(), is(9000));
    }

    // --- helpers --------------------------------------------------------------------------------

    private void put(String name, String json) {
        store.execute(new Command.Put(name, utf8(json), Precondition.NONE));
    }

    private static List<Importer.Item> items(String... names) {
        return java.util.Arrays.stream(names)
                .map(n -> new Importer.Item(n, utf8("\"value of " + n + "\"")))
                .toList();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Same JSON value: same structure, strings and literals, numbers equal as decimals (1.5e+300 = 1.5E+300). */
    private static void assertSameJson(String name, byte[] actual, String expected) {
        JsonValue a = parse(new String(actual, StandardCharsets.UTF_8));
        JsonValue e = parse(expected);
        assertThat(name + ": " + a + " is not " + e, same(a, e), is(true));
    }

    private static JsonValue parse(String json) {
        try (var reader = Json.createReader(new StringReader(json))) {
            return reader.readValue();
        }
    }

    private static boolean same(JsonValue a, JsonValue b) {
        if (a.getValueType() != b.getValueType()) {
            return false;
        }
        return switch (a.getValueType()) {
            case NUMBER -> ((JsonNumber) a).bigDecimalValue().compareTo(((JsonNumber) b).bigDecimalValue()) == 0;
            case ARRAY -> {
                JsonArray x = a.asJsonArray();
                JsonArray y = b.asJsonArray();
                yield x.size() == y.size() && IntStream.range(0, x.size()).allMatch(i -> same(x.get(i), y.get(i)));
            }
            case OBJECT -> {
                JsonObject x = a.asJsonObject();
                JsonObject y = b.asJsonObject();
                yield x.keySet().equals(y.keySet()) && x.keySet().stream().allMatch(k -> same(x.get(k), y.get(k)));
            }
            default -> a.equals(b);
        };
    }
}
