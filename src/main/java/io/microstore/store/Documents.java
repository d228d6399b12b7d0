package io.microstore.store;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import io.microstore.commit.Change;
import io.microstore.json.CompactJson;
import io.microstore.json.JsonText;
import io.microstore.json.MalformedJson;

/**
 * The two JSON objects microstore speaks, written and read here only: the app document
 * {@code {"name":..,"data":..}} (GET, listings, export and import) and the change object
 * {@code {"seq":..,"name":..,"op":..,"etag":..[,"data":..]}} (the changes feed). Both are written from
 * the stored bytes, without re-serialising a tree, and a value goes to the stream as the array it is stored in
 * (so a response that streams them holds no copy of a value).
 */
public final class Documents {
    private static final byte[] NAME = ascii("{\"name\":");
    private static final byte[] DATA = ascii(",\"data\":");
    private static final byte[] SEQ = ascii("{\"seq\":");
    private static final byte[] CHANGE_NAME = ascii(",\"name\":");
    private static final byte[] OP = ascii(",\"op\":\"");
    private static final byte[] ETAG = ascii("\",\"etag\":");

    private Documents() {
    }

    /** {@code {"name":..,"data":..}}. */
    public static byte[] app(String name, byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(name.length() + data.length + 24);
        try {
            writeApp(out, name, data);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return out.toByteArray();
    }

    /** Writes {@code {"name":..}}, with {@code "data"} unless it is null (a listing without data). */
    public static void writeApp(OutputStream out, String name, byte[] data) throws IOException {
        out.write(NAME);
        writeQuoted(out, name);
        if (data != null) {
            out.write(DATA);
            out.write(data);
        }
        out.write('}');
    }

    /**
     * Reads an app document; null when it is a JSON object without a string {@code name} or without
     * {@code data}. The name is not checked here.
     *
     * @throws MalformedJson when {@code json} is not one JSON object
     */
    public static Importer.Item readApp(byte[] json) {
        Map<String, byte[]> members = CompactJson.members(json);
        byte[] name = members.get("name");
        byte[] data = members.get("data");
        if (name == null || name[0] != '"' || data == null) {
            return null;
        }
        return new Importer.Item(JsonText.decode(name, 0, name.length), data);
    }

    /** Writes the change object of {@code change}, committed at {@code seq}, with its value when asked and it is a put. */
    public static void writeChange(OutputStream out, long seq, Change change, boolean includeData) throws IOException {
        out.write(SEQ);
        out.write(ascii(Long.toString(seq)));
        out.write(CHANGE_NAME);
        writeQuoted(out, change.name());
        out.write(OP);
        out.write(ascii(Op.of(change).wireName()));
        out.write(ETAG);
        writeQuoted(out, Entry.etag(seq));
        if (includeData && !change.isDelete()) {
            out.write(DATA);
            out.write(change.data());
        }
        out.write('}');
    }

    private static void writeQuoted(OutputStream out, String s) throws IOException {
        if (out instanceof ByteArrayOutputStream bytes) {
            JsonText.writeQuoted(bytes, s);
        } else {
            out.write(JsonText.quote(s));
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
