package io.microstore.store;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Function;
import java.util.regex.Pattern;

import io.microstore.json.CompactJson;
import io.microstore.json.JsonPointer;
import io.microstore.json.JsonText;

/**
 * The secondary indexes: their definitions are {@link Reserved#INDEX} records, committed through the engine as
 * PUTs are (so both engines keep them, and every instance hears them from its commit stream); each definition
 * heard makes an index that starts {@code building}, is filled by a builder thread while the commit stream keeps
 * it current, and is used once {@code ready}. At start-up every definition loaded is built the same way. A
 * delete drops the index at once.
 */
public final class Indexes {
    /** Most indexes a store keeps. */
    public static final int MAX = 32;
    /** Most pointers in one index. */
    public static final int MAX_PATHS = 4;

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    /** Apps the builder indexes per turn of the index's write lock: short pauses for readers and writers. */
    private static final int BUILD_BATCH = 256;

    private final Index index;
    private final Function<Command, Outcome> commit;
    private final ConcurrentSkipListMap<String, SecondaryIndex> byId = new ConcurrentSkipListMap<>();
    private volatile boolean loaded; // builders start only once the first load has ended
    private volatile Runnable catchUp = () -> {};

    Indexes(Index index, Function<Command, Outcome> commit) {
        this.index = index;
        this.commit = commit;
    }

    /** How to apply every write acknowledged anywhere before now (the engine's consistent read). */
    void catchUp(Runnable catchUp) {
        this.catchUp = catchUp;
    }

    // ---- the API's side

    /**
     * Defines index {@code id} on {@code paths}, durably.
     *
     * @return true when it was defined now, false when the same definition existed
     * @throws BadIndex when the id or a pointer is not valid, or a pointer repeats
     * @throws IndexConflict when the id is defined with other pointers, or {@link #MAX} indexes exist
     * @throws StoreUnavailable when another instance defined the id meanwhile and this one cannot catch up in time
     */
    public boolean define(String id, List<String> paths) {
        checkId(id);
        if (paths.isEmpty() || paths.size() > MAX_PATHS) {
            throw new BadIndex("paths: an index has 1 to " + MAX_PATHS + " JSON Pointers, not " + paths.size());
        }
        for (String p : paths) {
            if (p.isEmpty() || p.charAt(0) != '/' || JsonPointer.tokens(p) == null) {
                throw new BadIndex("paths: \"" + p + "\" is not a JSON Pointer (\"/...\", \"~\" followed by 0 or 1)");
            }
        }
        if (new HashSet<>(paths).size() != paths.size()) {
            throw new BadIndex("paths: a pointer is repeated");
        }
        for (boolean caughtUp = false; ; caughtUp = true) {
            SecondaryIndex existing = byId.get(id);
            if (existing != null) {
                if (existing.paths.equals(paths)) {
                    return false;
                }
                throw new IndexConflict("index '" + id + "' exists on " + existing.paths + "; delete it first");
            }
            if (byId.size() >= MAX) {
                throw new IndexConflict("a store keeps at most " + MAX + " indexes; delete one first");
            }
            try { // only while no definition has the id: two instances racing cannot both define it
                commit.apply(new Command.Put(
                        Reserved.INDEX + id, definition(paths), new Precondition(null, List.of("*")), 0));
                return true;
            } catch (PreconditionFailed raced) {
                // Defined meanwhile, in cluster mode perhaps by another instance. Both engines answer a refusal
                // only once this index holds the state it was decided on, so the winner is normally here now; the
                // consistent read makes sure of it by its contract, not by that detail of the engines (the put was
                // refused because the definition was there, so it is among the writes the read waits for). Then
                // the loop answers by what it is. Still absent, it was deleted again or is a definition this
                // version cannot read: one more try, then the refusal.
                if (caughtUp) {
                    throw raced;
                }
                catchUp.run();
            }
        }
    }

    /** Drops index {@code id}, durably. @throws IndexNotFound when there is none */
    public void drop(String id) {
        if (!byId.containsKey(id)) {
            throw new IndexNotFound(id);
        }
        try {
            commit.apply(new Command.Delete(Reserved.INDEX + id, Precondition.NONE));
        } catch (AppNotFound gone) {
            throw new IndexNotFound(id);
        }
    }

    /** @throws IndexNotFound when there is none */
    public IndexInfo get(String id) {
        SecondaryIndex i = byId.get(id);
        if (i == null) {
            throw new IndexNotFound(id);
        }
        return i.info();
    }

    /** Every index by id. */
    public List<IndexInfo> list() {
        List<IndexInfo> all = new ArrayList<>();
        byId.values().forEach(i -> all.add(i.info()));
        return all;
    }

    private static void checkId(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw new BadIndex("an index id is 1 to 64 of A-Z a-z 0-9 . _ -, not '" + id + "'");
        }
    }

    static byte[] definition(List<String> paths) {
        StringBuilder json = new StringBuilder("{\"paths\":[");
        for (int i = 0; i < paths.size(); i++) {
            json.append(i > 0 ? "," : "").append(new String(JsonText.quote(paths.get(i)), StandardCharsets.UTF_8));
        }
        return json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The pointers of a stored definition, or null when it is not one this version reads. */
    static List<String> paths(byte[] definition) {
        try {
            byte[] list = CompactJson.member(definition, "paths");
            if (list == null || list[0] != '[') {
                return null;
            }
            List<String> paths = new ArrayList<>();
            for (byte[] p : CompactJson.elements(list)) {
                if (p[0] != '"') {
                    return null;
                }
                paths.add(JsonText.decode(p, 0, p.length));
            }
            return paths.isEmpty() ? null : paths;
        } catch (RuntimeException e) { // MalformedJson among them
            return null;
        }
    }

    // ---- the store's side

    /** The ready indexes, for the planner. */
    List<SecondaryIndex> ready() {
        List<SecondaryIndex> ready = new ArrayList<>();
        for (SecondaryIndex i : byId.values()) {
            if (i.ready()) {
                ready.add(i);
            }
        }
        return ready;
    }

    /** Whether any index is defined: then every commit is applied under the index's write lock. */
    boolean any() {
        return !byId.isEmpty();
    }

    /** A record of the catalog was put ({@code entry}) or deleted (null). On the commit stream's thread. */
    void record(String name, Entry entry) {
        if (!name.startsWith(Reserved.INDEX)) {
            return;
        }
        String id = name.substring(Reserved.INDEX.length());
        List<String> paths = entry == null ? null : paths(entry.data());
        SecondaryIndex old = byId.get(id);
        if (old != null && paths != null && old.paths.equals(paths)) {
            return; // the same definition again (a reload)
        }
        if (old != null) {
            old.drop();
            byId.remove(id);
        }
        if (paths != null) {
            SecondaryIndex made;
            try {
                made = new SecondaryIndex(id, paths);
            } catch (RuntimeException bad) {
                return; // a definition this version cannot read is kept, not used
            }
            byId.put(id, made);
            if (loaded) {
                build(made);
            }
        }
    }

    /** {@code name} went from {@code old} to {@code now} in the index (either null: absent). Commit stream's thread. */
    void changed(String name, Entry old, Entry now) {
        for (SecondaryIndex i : byId.values()) {
            i.changed(name, old == null ? null : old.data(), now == null ? null : now.data());
        }
    }

    /** The first load has ended: every index defined is built now. */
    void loaded() {
        if (!loaded) {
            loaded = true;
            byId.values().forEach(this::build);
        }
    }

    /**
     * Fills {@code target} with every app while the commit stream keeps it current: each batch of names is read
     * and added under the index's write lock, so no commit is applied between reading an app and adding it (an
     * app written meanwhile ends up at its new version only: the commit stream removes what it replaced, and
     * an entry added twice is one entry).
     */
    private void build(SecondaryIndex target) {
        Thread.ofPlatform().daemon().name("microstore-index-build-" + target.id).start(() -> {
            List<String> batch = new ArrayList<>(BUILD_BATCH);
            for (Map.Entry<String, Entry> app : index.entries()) {
                if (target.dropped()) {
                    return;
                }
                batch.add(app.getKey());
                if (batch.size() == BUILD_BATCH) {
                    addAll(target, batch);
                    batch.clear();
                }
            }
            addAll(target, batch);
            index.together(() -> target.ready(!target.dropped()));
        });
    }

    private void addAll(SecondaryIndex target, List<String> names) {
        index.together(() -> {
            for (String name : names) {
                Entry e = index.current(name);
                if (e != null && !target.dropped()) {
                    target.add(name, e.data());
                }
            }
        });
    }
}
