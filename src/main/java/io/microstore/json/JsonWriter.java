package io.microstore.json;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Writes compact JSON straight to a stream: objects, arrays, member names, strings, numbers, and values
 * that are JSON already ({@link #raw}), so a stored value goes out as the bytes it is stored in and is
 * never re-serialised. It only places commas and colons; the caller nests correctly.
 */
public final class JsonWriter {
    private static final byte[] TRUE = "true".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FALSE = "false".getBytes(StandardCharsets.US_ASCII);

    private final OutputStream out;
    private boolean comma; // the next value or name follows a sibling

    public JsonWriter(OutputStream out) {
        this.out = out;
    }

    /** A member name quoted once, with its colon, for names written often. */
    public record Name(byte[] token) {
        public static Name of(String name) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(name.length() + 3);
            JsonText.writeQuoted(bytes, name);
            bytes.write(':');
            return new Name(bytes.toByteArray());
        }
    }

    /** What {@link #toBytes} writes. */
    @FunctionalInterface
    public interface Body {
        void writeTo(JsonWriter json) throws IOException;
    }

    /** The bytes {@code body} writes, in a buffer of {@code size} bytes to start with. */
    public static byte[] toBytes(int size, Body body) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(size);
        try {
            body.writeTo(new JsonWriter(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return bytes.toByteArray();
    }

    public JsonWriter beginObject() throws IOException {
        separate();
        out.write('{');
        comma = false;
        return this;
    }

    public JsonWriter endObject() throws IOException {
        out.write('}');
        comma = true;
        return this;
    }

    public JsonWriter beginArray() throws IOException {
        separate();
        out.write('[');
        comma = false;
        return this;
    }

    public JsonWriter endArray() throws IOException {
        out.write(']');
        comma = true;
        return this;
    }

    public JsonWriter name(Name name) throws IOException {
        separate();
        out.write(name.token());
        comma = false;
        return this;
    }

    public JsonWriter name(String name) throws IOException {
        separate();
        quoted(name);
        out.write(':');
        comma = false;
        return this;
    }

    public JsonWriter value(String s) throws IOException {
        separate();
        quoted(s);
        comma = true;
        return this;
    }

    public JsonWriter value(long n) throws IOException {
        return raw(Long.toString(n).getBytes(StandardCharsets.US_ASCII));
    }

    public JsonWriter value(boolean b) throws IOException {
        return raw(b ? TRUE : FALSE);
    }

    /** A value that is valid compact JSON already, written as it is (a stored value, a number's text). */
    public JsonWriter raw(byte[] json) throws IOException {
        separate();
        out.write(json);
        comma = true;
        return this;
    }

    /** Ends a line of JSON lines: a line break, and the next value starts a new line without a comma. */
    public JsonWriter newLine() throws IOException {
        out.write('\n');
        comma = false;
        return this;
    }

    private void separate() throws IOException {
        if (comma) {
            out.write(',');
        }
    }

    private void quoted(String s) throws IOException {
        if (out instanceof ByteArrayOutputStream bytes) {
            JsonText.writeQuoted(bytes, s);
        } else {
            out.write(JsonText.quote(s)); // JsonText writes into byte arrays only
        }
    }
}
