package io.microstore.store;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads many apps at once, given as a list of items (parsed from JSON lines or the old service's TinyDB
 * file by the api's {@code ImportFormats}). Everything is checked before anything is written, and it is
 * written all at once; existing names are refused unless overwriting is asked for.
 */
public final class Importer {
    /**
     * Cluster mode's larger imports: apps handed to the engine at once, each its own etcd txn, all at once:
     * 4096 in flight made etcd answer some after the client's 3 s timeout (503 "may or may not have been
     * applied") on a 2-core machine; 256 finish in well under a second there.
     */
    private static final int CHUNK = 256;

    /** One app to import: its name and compact JSON value. */
    public record Item(String name, byte[] data) {}

    private Importer() {}

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
            List<String> existing =
                    latest.keySet().stream().filter(n -> store.get(n) != null).toList();
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
        return new ImportRejected(
                existing.size() + " of the names exist already (import with overwrite "
                        + "to replace them): " + String.join(", ", existing.subList(0, Math.min(20, existing.size())))
                        + (existing.size() > 20 ? ", ..." : ""),
                existing);
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
                        case PreconditionFailed ignored ->
                            refused.add(chunk.get(i).name());
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
    public record Report(int imported, List<String> refused) {}
}
