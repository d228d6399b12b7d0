package io.microstore.json;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CompactJsonTest {

    static Stream<Arguments> validTexts() {
        return Stream.of(
                Arguments.of("{}", "{}"),
                Arguments.of(" { } ", "{}"),
                Arguments.of("[ ]", "[]"),
                Arguments.of("true", "true"),
                Arguments.of("false", "false"),
                Arguments.of(" null\n", "null"),
                Arguments.of("0", "0"),
                Arguments.of("-0", "-0"),
                Arguments.of("123456789012345678901234567890", "123456789012345678901234567890"),
                Arguments.of("1e300", "1e300"),
                Arguments.of("-0.5e-10", "-0.5e-10"),
                Arguments.of("1E+2", "1E+2"),
                Arguments.of("0.000", "0.000"),
                Arguments.of("\"\"", "\"\""),
                Arguments.of("\" a  b \"", "\" a  b \""),
                Arguments.of("\"\\u0000\\n\\\"\\\\\\/\\b\\f\\r\\t\"", "\"\\u0000\\n\\\"\\\\\\/\\b\\f\\r\\t\""),
                Arguments.of("\"\\uD83D\\uDE00 \\u00e9\\u00E9\"", "\"\\uD83D\\uDE00 \\u00e9\\u00E9\""),
                Arguments.of("\"é 日本 😀 \u007f\"", "\"é 日本 😀 \u007f\""),
                Arguments.of("\"\uFFFD\uFFFF\u0800\u0080\"", "\"\uFFFD\uFFFF\u0800\u0080\""),
                Arguments.of("\"\uDBFF\uDFFF\"", "\"\uDBFF\uDFFF\""), // U+10FFFF, the highest code point
                Arguments.of(
                        "\t{\r\n \"a\" : [ 1 , 2.5 , { } , [ ] ] ,\"b\":{ \"c\" :null } }\n",
                        "{\"a\":[1,2.5,{},[]],\"b\":{\"c\":null}}"),
                Arguments.of("[\"spaces , inside : strings\" , \"{ [ \"]", "[\"spaces , inside : strings\",\"{ [ \"]"),
                Arguments.of("{\"a\":1,\"a\":2}", "{\"a\":1,\"a\":2}"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("validTexts")
    void validTextComesBackCompactAndOtherwiseIdentical(String text, String compact) {
        assertThat(utf8(CompactJson.compact(utf8(text))), is(compact));
    }

    static Stream<Arguments> invalidTexts() {
        // text (hex after "hex:" for raw bytes), earliest and latest plausible offset of the error
        return Stream.of(
                Arguments.of("", 0, 0),
                Arguments.of("   ", 0, 3),
                Arguments.of("tru", 0, 3),
                Arguments.of("trUe", 0, 4),
                Arguments.of("nul", 0, 3),
                Arguments.of("nulll", 4, 4),
                Arguments.of("False", 0, 0),
                Arguments.of("undefined", 0, 0),
                Arguments.of("NaN", 0, 0),
                Arguments.of("01", 1, 1),
                Arguments.of("[01]", 2, 2),
                Arguments.of("-01", 2, 2),
                Arguments.of("1.", 2, 2),
                Arguments.of(".5", 0, 0),
                Arguments.of("-", 1, 1),
                Arguments.of("+1", 0, 0),
                Arguments.of("1e", 2, 2),
                Arguments.of("1e+", 3, 3),
                Arguments.of("1.e5", 2, 2),
                Arguments.of("0x10", 1, 1),
                Arguments.of("\"a\u0001b\"", 2, 2),
                Arguments.of("\"line\nbreak\"", 5, 5),
                Arguments.of("\"tab\there\"", 4, 4),
                Arguments.of("\"\\x\"", 1, 2),
                Arguments.of("\"\\u12\"", 1, 6),
                Arguments.of("\"\\u12", 1, 5),
                Arguments.of("\"\\u12G4\"", 1, 5),
                Arguments.of("\"\\", 1, 2),
                Arguments.of("\"abc", 4, 4),
                Arguments.of("{\"a\":1", 6, 6),
                Arguments.of("{\"a\" 1}", 5, 5),
                Arguments.of("{a:1}", 1, 1),
                Arguments.of("{\"a\":1,}", 7, 7),
                Arguments.of("[1,]", 3, 3),
                Arguments.of("[1 2]", 3, 3),
                Arguments.of("[", 1, 1),
                Arguments.of("]", 0, 0),
                Arguments.of("{} {}", 3, 3),
                Arguments.of("1 2", 2, 2),
                Arguments.of("{}x", 2, 2),
                // invalid UTF-8 inside a string: "<bytes>"
                Arguments.of("hex:22c08022", 1, 2), // overlong 2-byte (C0 80)
                Arguments.of("hex:22c1bf22", 1, 2), // overlong 2-byte (C1 BF)
                Arguments.of("hex:22e0808022", 1, 3), // overlong 3-byte
                Arguments.of("hex:22e09fbf22", 1, 3), // overlong 3-byte (highest)
                Arguments.of("hex:22f080808022", 1, 4), // overlong 4-byte
                Arguments.of("hex:22f08fbfbf22", 1, 4), // overlong 4-byte (highest)
                Arguments.of("hex:22eda08022", 1, 3), // high surrogate D800
                Arguments.of("hex:22edbfbf22", 1, 3), // low surrogate DFFF
                Arguments.of("hex:22f490808022", 1, 4), // U+110000
                Arguments.of("hex:22f58080808022", 1, 1), // lead byte F5
                Arguments.of("hex:22ff22", 1, 1), // FF never appears in UTF-8
                Arguments.of("hex:22fe22", 1, 1),
                Arguments.of("hex:228022", 1, 1), // lone continuation byte
                Arguments.of("hex:22bf22", 1, 1),
                Arguments.of("hex:22c322", 1, 2), // truncated 2-byte sequence before the quote
                Arguments.of("hex:22c328", 1, 2), // C3 followed by '('
                Arguments.of("hex:22e69722", 1, 3), // truncated 3-byte sequence
                Arguments.of("hex:22f09f9822", 1, 4), // truncated 4-byte sequence
                Arguments.of("hex:22f09f", 1, 3), // truncated at the end of the input
                Arguments.of("hex:22c3", 1, 2),
                Arguments.of("hex:22e6c3a922", 1, 3), // E6 then a new lead byte
                Arguments.of("hex:7b22c0af223a317d", 2, 3) // invalid UTF-8 in a member name
                );
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("invalidTexts")
    void invalidTextIsMalformedNearTheFault(String text, int from, int to) {
        byte[] bytes = text.startsWith("hex:") ? HexFormat.of().parseHex(text.substring(4)) : utf8(text);
        MalformedJson e = assertThrows(MalformedJson.class, () -> CompactJson.compact(bytes));
        assertThat(e.getMessage(), e.offset(), allOf(greaterThanOrEqualTo(from), lessThanOrEqualTo(to)));
    }

    @Test
    void validUtf8OfEveryLengthIsAccepted() {
        String s = "\"\u0080\u07ff\u0800\ufffd\ud800\udc00\udbff\udfff\"";
        byte[] bytes = utf8(s);
        assertThat(CompactJson.compact(bytes), is(bytes));
    }

    @Test
    void nestingOf1000LevelsIsAcceptedAnd1001Refused() {
        String ok = nested(CompactJson.MAX_DEPTH);
        assertThat(utf8(CompactJson.compact(utf8(ok))), is(ok));
        String mixed = "{\"a\":".repeat(500) + "[".repeat(500) + "]".repeat(500) + "}".repeat(500);
        assertThat(utf8(CompactJson.compact(utf8(mixed))), is(mixed));

        String tooDeep = nested(CompactJson.MAX_DEPTH + 1);
        MalformedJson e = assertThrows(MalformedJson.class, () -> CompactJson.compact(utf8(tooDeep)));
        assertThat(e.offset(), is(CompactJson.MAX_DEPTH));
        assertThrows(MalformedJson.class, () -> CompactJson.compact(utf8("{\"a\":" + tooDeep + "}")));
    }

    @Test
    void memberReturnsTheCompactValueOfTheNamedMember() {
        byte[] text = utf8("{ \"name\" : \"x\", \"data\" : { \"a\" : [ 1 , 2 ] } , \"z\": 0 }");
        assertThat(utf8(CompactJson.member(text, "data")), is("{\"a\":[1,2]}"));
        assertThat(utf8(CompactJson.member(text, "z")), is("0"));
    }

    @Test
    void membersRefusesAMemberNamedTwice() {
        assertThat(utf8(CompactJson.members(utf8("{\"a\":1,\"b\":{\"a\":2}}")).get("a")), is("1"));
        RepeatedMember e =
                assertThrows(RepeatedMember.class, () -> CompactJson.members(utf8("{\"a\":1,\"b\":2,\"\\u0061\":3}")));
        assertThat(e.getMessage(), is("the object names the member \"a\" twice"));
    }

    @Test
    void memberPicksTheLastOfDuplicateMembers() {
        byte[] text = utf8("{\"data\":1,\"other\":2,\"data\":[3]}");
        assertThat(utf8(CompactJson.member(text, "data")), is("[3]"));
    }

    @Test
    void memberMatchesAnEscapedSpellingOfTheName() {
        assertThat(utf8(CompactJson.member(utf8("{\"d\\u0061ta\":true}"), "data")), is("true"));
        assertThat(utf8(CompactJson.member(utf8("{\"data\":1,\"d\\u0061t\\u0061\":2}"), "data")), is("2"));
        assertThat(utf8(CompactJson.member(utf8("{\"\\u00e9\\/\":null}"), "é/")), is("null"));
        assertThat(CompactJson.member(utf8("{\"dat\\u0061x\":1}"), "data"), nullValue());
    }

    @Test
    void memberIsNullWhenAbsent() {
        assertThat(CompactJson.member(utf8("{}"), "data"), nullValue());
        assertThat(
                CompactJson.member(utf8("{\"Data\":1,\"dat\":2,\"datax\":3,\"x\":{\"data\":4}}"), "data"), nullValue());
    }

    @Test
    void memberKeepsDataWithNullFalseAndStrings() {
        assertThat(utf8(CompactJson.member(utf8("{\"data\":null}"), "data")), is("null"));
        assertThat(utf8(CompactJson.member(utf8("{\"data\":false}"), "data")), is("false"));
        assertThat(utf8(CompactJson.member(utf8("{\"data\":\"\\u0000\"}"), "data")), is("\"\\u0000\""));
    }

    static Stream<String> notObjects() {
        return Stream.of("[]", "[{\"data\":1}]", "\"data\"", "42", "null", "true", "  [ ]  ");
    }

    @ParameterizedTest
    @MethodSource("notObjects")
    void memberRefusesATextThatIsNotAnObject(String text) {
        assertThrows(MalformedJson.class, () -> CompactJson.member(utf8(text), "data"));
    }

    static Stream<String> brokenObjects() {
        return Stream.of(
                "",
                "  ",
                "{",
                "{\"data\":1",
                "{\"data\":1}x",
                "{\"data\":1}{}",
                "{\"data\":}",
                "{\"data\" 1}",
                "{\"data\":tru}",
                "{\"data\":1,}",
                "[1");
    }

    @ParameterizedTest
    @MethodSource("brokenObjects")
    void memberRefusesMalformedText(String text) {
        MalformedJson e = assertThrows(MalformedJson.class, () -> CompactJson.member(utf8(text), "data"));
        assertThat(e.offset(), allOf(greaterThanOrEqualTo(0), lessThanOrEqualTo(text.length())));
    }

    @Test
    void memberRefusesNestingDeeperThanTheLimit() {
        // the object itself is level 1
        String ok = "{\"data\":" + nested(CompactJson.MAX_DEPTH - 1) + "}";
        assertThat(utf8(CompactJson.member(utf8(ok), "data")), is(nested(CompactJson.MAX_DEPTH - 1)));
        String tooDeep = "{\"data\":" + nested(CompactJson.MAX_DEPTH) + "}";
        assertThrows(MalformedJson.class, () -> CompactJson.member(utf8(tooDeep), "data"));
    }

    @Test
    void memberRefusesInvalidUtf8InTheValue() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(utf8("{\"data\":\"a"));
        out.writeBytes(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80});
        out.writeBytes(utf8("\"}"));
        assertThrows(MalformedJson.class, () -> CompactJson.member(out.toByteArray(), "data"));
    }

    private static String nested(int depth) {
        return "[".repeat(depth) + "]".repeat(depth);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
