package io.microstore.json;

import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/** {@link JsonWriter}: commas and colons in the right places, strings escaped, raw values as they are. */
class JsonWriterTest {
    @Test
    void nestedObjectsAndArraysGetTheirCommasAndColons() {
        byte[] json = JsonWriter.toBytes(
                16,
                w -> w.beginObject()
                        .name("a")
                        .value(1)
                        .name("b")
                        .beginArray()
                        .value("x")
                        .beginObject()
                        .endObject()
                        .beginArray()
                        .endArray()
                        .value(true)
                        .endArray()
                        .name(JsonWriter.Name.of("c"))
                        .raw(utf8("{\"d\":[1,2]}"))
                        .name("e")
                        .value(false)
                        .endObject());
        assertThat(text(json), is("{\"a\":1,\"b\":[\"x\",{},[],true],\"c\":{\"d\":[1,2]},\"e\":false}"));
    }

    @Test
    void stringsAreEscapedAndALoneSurrogateIsWrittenAsAnEscape() {
        byte[] json = JsonWriter.toBytes(
                16,
                w -> w.beginArray()
                        .value("q\"b\\n\n\u0001")
                        .value("ü😀")
                        .value("a\ud800")
                        .endArray());
        assertThat(text(json), is("[\"q\\\"b\\\\n\\n\\u0001\",\"ü😀\",\"a\\ud800\"]"));
    }

    @Test
    void aStreamThatIsNoByteArrayGetsTheSameBytes() throws IOException {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        JsonWriter json = new JsonWriter(new FilterOutputStream(sink));
        json.beginObject()
                .name("name")
                .value("a\ud800\"")
                .name("data")
                .raw(utf8("[1]"))
                .endObject();
        assertThat(text(sink.toByteArray()), is("{\"name\":\"a\\ud800\\\"\",\"data\":[1]}"));
    }

    @Test
    void eachLineOfJsonLinesStartsWithoutAComma() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        JsonWriter json = new JsonWriter(out);
        json.beginObject().name("n").value(1).endObject().newLine();
        json.beginObject().name("n").value(2).endObject().newLine();
        assertThat(text(out.toByteArray()), is("{\"n\":1}\n{\"n\":2}\n"));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
