package io.microstore.store;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import io.microstore.json.CompactJson;
import io.microstore.json.JsonText;
import io.microstore.json.MalformedJson;

/**
 * The two JSON objects microstore speaks, written and read here only: the app document
 * {@code {"name":..,"data":..}} (GET, listings, export and import) and the change object
 * {@code {"seq":..,"name":..,"op":..,"etag":..[,"data":..]}} (the changes feed). Both are written from
 * the stored bytes, without re-serialising a tree.
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
        writeApp(out, name, data);
        return out.toByteArray();
    }

    /** Appends {@code {"name":..}}, with {@code "data"} unless it is null (a listing without data). */
    public static void writeApp(ByteArrayOutputStream out, String name, byte[] data) {
        out.writeBytes(NAME);
        JsonText.writeQuoted(out, name);
        if (data != null) {
            out.writeBytes(DATA);
            out.writeBytes(data);
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

    /** Appends the change object of {@code m}, with its value when asked and it is a put. */
    public static void writeChange(ByteArrayOutputStream out, Mutation m, boolean includeData) {
        out.writeBytes(SEQ);
        out.writeBytes(ascii(Long.toString(m.seq())));
        out.writeBytes(CHANGE_NAME);
        JsonText.writeQuoted(out, m.name());
        out.writeBytes(OP);
        out.writeBytes(ascii(m.op().wireName()));
        out.writeBytes(ETAG);
        JsonText.writeQuoted(out, Entry.etag(m.seq()));
        if (includeData && m.op() == Op.PUT) {
            out.writeBytes(DATA);
            out.writeBytes(m.data());
        }
        out.write('}');
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
