package io.microstore.api.wire;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import io.microstore.json.CompactJson;
import io.microstore.json.JsonText;
import io.microstore.json.MalformedJson;
import io.microstore.json.RepeatedMember;
import io.microstore.store.ImportRejected;
import io.microstore.store.Importer.Item;
import io.microstore.store.InvalidName;
import io.microstore.store.Names;

/**
 * The two formats an import takes, parsed into the items {@link io.microstore.store.Importer} writes: JSON
 * lines ({@code {"name": ..., "data": ...}} per line, with {@code "expires"} for an app with a deadline: the
 * format of {@code GET /api/export}) or a file of the old Flask + TinyDB service ({@code {"apps": {"1":
 * {"key": <name>, "value": <data>}, ...}}}, other tables ignored). Every name is checked here, so a bad one
 * refuses the import before anything is written, as does an object that names a member twice.
 */
public final class ImportFormats {
    private ImportFormats() {}

    /**
     * Parses a file: a TinyDB file of the old service (one object with an "apps" table) or JSON lines
     * (one object per line; a file of one such line is a single object with a "name").
     */
    public static List<Item> fromFile(byte[] file) {
        Map<String, byte[]> root;
        try {
            root = CompactJson.members(file);
        } catch (MalformedJson e) {
            return fromJsonLines(file); // not one JSON object: JSON lines, or garbage reported by line
        } catch (RepeatedMember e) {
            throw new ImportRejected("the file's top object: " + e.getMessage(), List.of());
        }
        return root.containsKey("name") && !root.containsKey("apps") ? fromJsonLines(file) : tinyDb(root);
    }

    /** Parses JSON lines; blank lines (JSON whitespace only: space, tab, CR) are skipped. */
    public static List<Item> fromJsonLines(byte[] body) {
        List<Item> items = new ArrayList<>();
        int line = 0;
        for (int start = 0; start < body.length; ) {
            int end = start;
            while (end < body.length && body[end] != '\n') {
                end++;
            }
            line++;
            byte[] text = Arrays.copyOfRange(body, start, end > start && body[end - 1] == '\r' ? end - 1 : end);
            start = end + 1;
            if (blank(text)) {
                continue;
            }
            try {
                Item app = Documents.readApp(text);
                if (app == null) {
                    throw new ImportRejected(
                            "line " + line + ": expected {\"name\": \"...\", \"data\": ...}", List.of());
                }
                items.add(item(app.name(), app.data(), app.expires(), "line " + line));
            } catch (MalformedJson e) {
                throw new ImportRejected("line " + line + " is not valid JSON: " + e.getMessage(), List.of());
            } catch (RepeatedMember | IllegalArgumentException e) {
                throw new ImportRejected("line " + line + ": " + e.getMessage(), List.of());
            }
        }
        return items;
    }

    /**
     * Parses a TinyDB file of the old service: the {@code apps} table, in document order. Values keep
     * their exact text (no JSON-P tree, which would rewrite numbers and refuse very long ones).
     */
    public static List<Item> fromTinyDb(byte[] file) {
        Map<String, byte[]> root;
        try {
            root = CompactJson.members(file);
        } catch (RepeatedMember e) {
            throw new ImportRejected("the file's top object: " + e.getMessage(), List.of());
        } catch (MalformedJson notAnObject) {
            try {
                CompactJson.compact(file);
            } catch (MalformedJson e) {
                throw new ImportRejected("the file is not valid JSON: " + e.getMessage(), List.of());
            }
            root = Map.of(); // valid JSON but not an object: no apps table, said below
        }
        return tinyDb(root);
    }

    /** The items of a parsed TinyDB file, whose values are valid compact JSON already. */
    private static List<Item> tinyDb(Map<String, byte[]> root) {
        byte[] table = root.get("apps");
        if (table == null || table[0] != '{') {
            throw new ImportRejected("not a TinyDB file of the old service: no \"apps\" table", List.of());
        }
        Map<String, byte[]> apps = members(table, "the \"apps\" table");
        List<String> ids = new ArrayList<>(apps.keySet());
        ids.sort(ImportFormats::compareIds);
        List<Item> items = new ArrayList<>(ids.size());
        for (String id : ids) {
            String where = "document " + id;
            byte[] doc = apps.get(id);
            Map<String, byte[]> app = doc[0] == '{' ? members(doc, where) : Map.of();
            byte[] key = app.get("key");
            if (key == null || key[0] != '"' || !app.containsKey("value")) {
                throw new ImportRejected(where + ": expected {\"key\": \"<name>\", \"value\": ...}", List.of());
            }
            items.add(item(JsonText.decode(key, 0, key.length), app.get("value"), 0, where + ", \"key\""));
        }
        return items;
    }

    /** The members of an object of a TinyDB file, which must name each once. */
    private static Map<String, byte[]> members(byte[] object, String where) {
        try {
            return CompactJson.members(object);
        } catch (RepeatedMember e) {
            throw new ImportRejected(where + ": " + e.getMessage(), List.of());
        }
    }

    private static Item item(String name, byte[] data, long expires, String where) {
        try {
            return new Item(Names.check(name), data, expires);
        } catch (InvalidName e) {
            throw new ImportRejected(where + ": " + e.getMessage(), List.of());
        }
    }

    /**
     * Whether {@code line} holds JSON whitespace only (RFC 8259; LF ends the line). Not
     * {@link String#isBlank}, which also skips U+3000 or U+001C but not NBSP: any other character is
     * a line to parse, so it is refused with its number rather than skipped unseen.
     */
    private static boolean blank(byte[] line) {
        for (byte b : line) {
            if (b != ' ' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    /** TinyDB document ids are numbers written as strings: "2" before "10". */
    private static int compareIds(String a, String b) {
        return a.length() != b.length() ? a.length() - b.length() : a.compareTo(b);
    }
}
