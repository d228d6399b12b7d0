package io.microstore.store;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.microstore.json.CompactJson;
import io.microstore.json.JsonText;
import io.microstore.json.MalformedJson;

/**
 * Loads many apps at once: from JSON lines ({@code {"name": ..., "data": ...}} per line, the format of
 * {@code GET /api/export}) or from a file of the old Flask + TinyDB service
 * ({@code {"apps": {"1": {"key": <name>, "value": <data>}, ...}}}, other tables ignored). Everything
 * is checked before anything is written, and it is written all at once; existing names are refused unless
 * overwriting is asked for.
 */
public final class Importer {
    /**
     * Cluster mode's larger imports: apps handed to the engine at once, each its own etcd txn, all at once:
     * 4096 in flight made etcd answer some after the client's 3 s timeout (503 "may or may not have been
     * applied") on a 2-core machine; 256 finish in well under a second there.
     */
    private static final int CHUNK = 256;

    /** One app to import: its name and compact JSON value. */
    public record Item(String name, byte[] data) {
    }

    private Importer() {
    }

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
                    throw new ImportRejected("line " + line + ": expected {\"name\": \"...\", \"data\": ...}", List.of());
                }
                items.add(item(app.name(), app.data(), "line " + line));
            } catch (MalformedJson e) {
                throw new ImportRejected("line " + line + " is not valid JSON: " + e.getMessage(), List.of());
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
        Map<String, byte[]> apps = CompactJson.members(table);
        List<String> ids = new ArrayList<>(apps.keySet());
        ids.sort(Importer::compareIds);
        List<Item> items = new ArrayList<>(ids.size());
        for (String id : ids) {
            String where = "document " + id;
            byte[] doc = apps.get(id);
            Map<String, byte[]> app = doc[0] == '{' ? CompactJson.members(doc) : Map.of();
            byte[] key = app.get("key");
            if (key == null || key[0] != '"' || !app.containsKey("value")) {
                throw new ImportRejected(where + ": expected {\"key\": \"<name>\", \"value\": ...}", List.of());
            }
            items.add(item(JsonText.decode(key, 0, key.length), app.get("value"), where + ", \"key\""));
        }
        return items;
    }

    /**
     * Writes {@code items} (the last one wins for a name given twice) all or nothing: as one commit, with
     * one seq and one journal record, where the engine takes commits of that size (always locally; in
     * cluster mode up to {@link Transaction#MAX_COMMANDS} apps, one etcd txn). Its room is reserved before
     * anything is written, so imports racing each other or other writes either fit whole or get 507, and a
     * crash keeps all of it or none. Without {@code overwrite}, names that exist already refuse it before any
     * write, and each write is create-only, so a name created meanwhile refuses the whole import too.
     *
     * <p>A larger import in cluster mode goes app by app, in batches (see {@link #CHUNK}): there it may
     * stop part way when it meets a full quota, and names created meanwhile are reported, not overwritten.
     *
     * @return the number of apps written and the names refused because they appeared meanwhile
     * @throws QuotaExceeded before any write when the items do not fit the store's memory quota
     * @throws ImportRejected (409) when a name exists already and {@code overwrite} is not asked for
     */
    public static Report run(Store store, List<Item> items, boolean overwrite) {
        Map<String, byte[]> latest = new LinkedHashMap<>();
        items.forEach(i -> latest.put(i.name(), i.data()));
        if (!overwrite) {
            List<String> existing = latest.keySet().stream().filter(n -> store.get(n) != null).toList();
            if (!existing.isEmpty()) {
                throw exist(existing);
            }
        }
        Precondition precondition = overwrite ? Precondition.NONE : new Precondition(null, List.of("*"));
        List<Command> commands = new ArrayList<>(latest.size());
        latest.forEach((name, data) -> commands.add(new Command.Put(name, data, precondition)));
        if (commands.isEmpty()) {
            return new Report(0, List.of());
        }
        if (commands.size() > store.maxCommands()) {
            store.requireRoom(latest); // writes racing the import may still take the room meanwhile
            return inBatches(store, commands);
        }
        try {
            store.execute(new Transaction(commands));
        } catch (TxnRefused refused) {
            if (refused.reason() instanceof PreconditionFailed) {
                throw exist(List.of(commands.get(refused.index()).name())); // created since the check above
            }
            throw refused.reason();
        }
        return new Report(commands.size(), List.of());
    }

    private static ImportRejected exist(List<String> existing) {
        return new ImportRejected(existing.size() + " of the names exist already (import with overwrite "
                + "to replace them): " + String.join(", ", existing.subList(0, Math.min(20, existing.size())))
                + (existing.size() > 20 ? ", ..." : ""), existing);
    }

    /** Cluster mode's larger imports: app by app, {@link #CHUNK} in flight at a time. */
    private static Report inBatches(Store store, List<Command> commands) {
        int written = 0;
        List<String> refused = new ArrayList<>();
        for (int from = 0; from < commands.size(); from += CHUNK) {
            List<Command> chunk = commands.subList(from, Math.min(commands.size(), from + CHUNK));
            while (!chunk.isEmpty()) {
                List<Object> results = store.executeAll(chunk);
                List<Command> busy = new ArrayList<>();
                for (int i = 0; i < results.size(); i++) {
                    switch (results.get(i)) {
                        case Outcome ignored -> written++;
                        case PreconditionFailed ignored -> refused.add(chunk.get(i).name());
                        case StoreBusy ignored -> busy.add(chunk.get(i)); // the queue was full: again, once it drained
                        case RuntimeException e -> throw e;
                        default -> throw new IllegalStateException("unexpected result " + results.get(i));
                    }
                }
                chunk = busy;
            }
        }
        return new Report(written, refused);
    }

    /** What an import did. */
    public record Report(int imported, List<String> refused) {
    }

    private static Item item(String name, byte[] data, String where) {
        try {
            return new Item(Names.check(name), data);
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
