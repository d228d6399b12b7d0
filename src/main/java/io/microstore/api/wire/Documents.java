package io.microstore.api.wire;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
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
    private static final JsonWriter.Name EXPIRES = JsonWriter.Name.of("expires");

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
     * Writes an export's line: the app document, with {@code "expires"} (an RFC 3339 time in UTC, to the
     * millisecond) when the app has a deadline, so that an import of the export keeps it.
     */
    public static void writeExported(JsonWriter json, String name, Entry entry) throws IOException {
        json.beginObject().name(NAME).value(name).name(DATA).raw(entry.data());
        if (entry.expires() > 0) {
            json.name(EXPIRES).value(Instant.ofEpochMilli(entry.expires()).toString());
        }
        json.endObject();
    }

    /**
     * Reads an app document, as an export writes it; null when it is a JSON object without a string
     * {@code name} or without {@code data}. The name is not checked here.
     *
     * @throws MalformedJson when {@code json} is not one JSON object
     * @throws IllegalArgumentException when it has an {@code expires} that is not an RFC 3339 time
     */
    public static Importer.Item readApp(byte[] json) {
        Map<String, byte[]> members = CompactJson.members(json);
        byte[] name = members.get("name");
        byte[] data = members.get("data");
        if (name == null || name[0] != '"' || data == null) {
            return null;
        }
        byte[] expires = members.get("expires");
        return new Importer.Item(JsonText.decode(name, 0, name.length), data, expires == null ? 0 : deadline(expires));
    }

    /** An {@code expires} member's time, in epoch milliseconds. */
    private static long deadline(byte[] expires) {
        try {
            if (expires[0] == '"') {
                long millis = Instant.parse(JsonText.decode(expires, 0, expires.length))
                        .toEpochMilli();
                return millis == 0 ? -1 : millis; // 0 means "never": the epoch itself is just as long past
            }
        } catch (DateTimeParseException | ArithmeticException e) {
            // said below
        }
        throw new IllegalArgumentException("\"expires\" must be an RFC 3339 time such as \"2030-01-31T23:59:59Z\", not "
                + new String(expires, 0, Math.min(expires.length, 64), StandardCharsets.UTF_8));
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
