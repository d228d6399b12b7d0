package io.microstore.api.wire;

import java.io.IOException;
import java.util.Map;

import io.microstore.commit.Change;
import io.microstore.json.CompactJson;
import io.microstore.json.JsonText;
import io.microstore.json.JsonWriter;
import io.microstore.json.MalformedJson;
import io.microstore.store.Entry;
import io.microstore.store.Importer;
import io.microstore.store.Op;
import io.microstore.store.feed.Transition;

/**
 * The HTTP representation: the two JSON objects microstore speaks, written and read here only: the app
 * document {@code {"name":..,"data":..}} (GET, listings, export and import) and the change object
 * {@code {"seq":..,"name":..,"op":..,"etag":..[,"data":..]}} (the changes feed). Both are written from
 * the stored bytes, without re-serialising a tree, and a value goes to the stream as the array it is stored in
 * (so a response that streams them holds no copy of a value).
 */
public final class Documents {
    private static final JsonWriter.Name NAME = JsonWriter.Name.of("name");
    private static final JsonWriter.Name DATA = JsonWriter.Name.of("data");
    private static final JsonWriter.Name SEQ = JsonWriter.Name.of("seq");
    private static final JsonWriter.Name OP = JsonWriter.Name.of("op");
    private static final JsonWriter.Name ETAG = JsonWriter.Name.of("etag");

    private Documents() {}

    /** {@code {"name":..,"data":..}}. */
    public static byte[] app(String name, byte[] data) {
        return JsonWriter.toBytes(name.length() + data.length + 24, json -> writeApp(json, name, data));
    }

    /** Writes {@code {"name":..}}, with {@code "data"} unless it is null (a listing without data). */
    public static void writeApp(JsonWriter json, String name, byte[] data) throws IOException {
        json.beginObject().name(NAME).value(name);
        if (data != null) {
            json.name(DATA).raw(data);
        }
        json.endObject();
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

    /** Writes the change object of {@code change}, with its value when asked and it is a put. */
    public static void writeChange(JsonWriter json, long seq, Change change, boolean includeData) throws IOException {
        writeChange(json, seq, change, includeData, null);
    }

    /**
     * Writes the change object of {@code change}, with its value when asked and it is a put, and for a live query
     * what it did to the result set ({@code did}, null for a plain read): {@code event}, and {@code reason}
     * when it left.
     */
    public static void writeChange(JsonWriter json, long seq, Change change, boolean includeData, Transition did)
            throws IOException {
        json.beginObject()
                .name(SEQ)
                .value(seq)
                .name(NAME)
                .value(change.name())
                .name(OP)
                .value(Op.of(change).wireName())
                .name(ETAG)
                .value(Entry.etag(seq));
        if (includeData && !change.isDelete()) {
            json.name(DATA).raw(change.data());
        }
        if (did != null) {
            json.name("event").value(did.event());
            if (did.reason() != null) {
                json.name("reason").value(did.reason());
            }
        }
        json.endObject();
    }
}
