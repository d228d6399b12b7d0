package io.microstore.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
    /**
     * How many times an app whose write had an unknown outcome is looked up and sent again before the
     * import gives up with that write's 503.
     */
    private static final int RESOLVE_ROUNDS = 10;
    /** The pause before looking again when the engine could not even say its current state. */
    private static final long RESOLVE_PAUSE_MS = 500;

    /**
     * One app to import: its name, compact JSON value and deadline ({@code expires}, epoch milliseconds as
     * {@link Command.Put#expires}, 0 = never).
     */
    public record Item(String name, byte[] data, long expires) {
        /** An app that never expires. */
        public Item(String name, byte[] data) {
            this(name, data, 0);
        }
    }

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
     * <p>A write whose outcome is unknown (etcd did not answer in time; only cluster mode has those) does not
     * end the import: once this instance has caught up with etcd's current revision (a quorum read), an app
     * holding the imported value was written, and any other is sent again (create-only ones refused if
     * another value was created meanwhile). A resend is safe because it writes the same value: the first
     * write applied late writes it once more at most.
     *
     * @return the number of apps written and the names refused because they appeared meanwhile
     * @throws QuotaExceeded before any write when the items do not fit the store's memory quota
     * @throws ImportRejected (409) when a name exists already and {@code overwrite} is not asked for
     */
    public static Report run(Store store, List<Item> items, boolean overwrite) {
        Map<String, Item> byName = new LinkedHashMap<>();
        items.forEach(i -> byName.put(i.name(), i));
        int expired = dropExpired(store, byName);
        if (!overwrite) {
            List<String> existing =
                    byName.keySet().stream().filter(n -> store.get(n) != null).toList();
            if (!existing.isEmpty()) {
                throw exist(existing);
            }
        }
        Precondition precondition = overwrite ? Precondition.NONE : new Precondition(null, List.of("*"));
        List<Command> commands = new ArrayList<>(byName.size());
        byName.values().forEach(i -> commands.add(new Command.Put(i.name(), i.data(), precondition, i.expires())));
        if (commands.isEmpty()) {
            return new Report(0, List.of(), 0, expired);
        }
        if (commands.size() > store.maxCommands()) {
            Map<String, byte[]> values = new LinkedHashMap<>();
            byName.forEach((name, item) -> values.put(name, item.data()));
            store.requireRoom(values); // writes racing the import may still take the room meanwhile
            return inBatches(store, commands, expired);
        }
        int resolved = 0;
        for (int round = 1; ; round++) {
            try {
                store.execute(new Transaction(commands));
                break;
            } catch (TxnRefused refused) {
                if (round > 1 && holdsAll(store, commands)) {
                    break; // the import's own txn of before applied late, and the resend was refused over it
                }
                if (refused.reason() instanceof PreconditionFailed) {
                    throw exist(List.of(commands.get(refused.index()).name())); // created since the check above
                }
                throw refused.reason();
            } catch (OutcomeUnknown unknown) {
                // one txn: all of it applied or none of it; sent again unless the store shows all of it
                resolved = commands.size();
                caughtUp(store, unknown);
                if (holdsAll(store, commands)) {
                    break;
                }
                if (round >= RESOLVE_ROUNDS) {
                    throw unknown;
                }
            }
        }
        return new Report(commands.size(), List.of(), resolved, expired);
    }

    /**
     * Leaves out the apps whose deadline has passed (an export's sessions, say, restored later): each would
     * be deleted as soon as it was written. A deadline further away than {@link Store#MAX_TTL} refuses the
     * import, as a {@code ttl} that long does.
     *
     * @return how many were left out
     */
    private static int dropExpired(Store store, Map<String, Item> byName) {
        long now = store.clock().millis();
        for (Item item : byName.values()) {
            if (item.expires() > now + Store.MAX_TTL.toMillis()) {
                throw new ImportRejected(
                        "the app " + item.name() + " expires more than 30 days from now, "
                                + Instant.ofEpochMilli(item.expires()),
                        List.of());
            }
        }
        int before = byName.size();
        byName.values().removeIf(item -> item.expires() != 0 && item.expires() <= now);
        return before - byName.size();
    }

    private static ImportRejected exist(List<String> existing) {
        return new ImportRejected(
                existing.size() + " of the names exist already (import with overwrite "
                        + "to replace them): " + String.join(", ", existing.subList(0, Math.min(20, existing.size())))
                        + (existing.size() > 20 ? ", ..." : ""),
                existing);
    }

    /** Cluster mode's larger imports: app by app, {@link #CHUNK} in flight at a time. */
    private static Report inBatches(Store store, List<Command> commands, int expired) {
        int written = 0;
        List<String> refused = new ArrayList<>();
        Set<String> unsure = new HashSet<>(); // apps a write of unknown outcome was sent for
        Map<String, Integer> resent = new HashMap<>(); // apps sent again after an unknown outcome: how often
        for (int from = 0; from < commands.size(); from += CHUNK) {
            List<Command> chunk = commands.subList(from, Math.min(commands.size(), from + CHUNK));
            while (!chunk.isEmpty()) {
                List<Object> results = store.executeAll(chunk);
                List<Command> again = new ArrayList<>();
                List<Command> doubtful = new ArrayList<>();
                OutcomeUnknown unknown = null;
                for (int i = 0; i < results.size(); i++) {
                    Command command = chunk.get(i);
                    switch (results.get(i)) {
                        case Outcome ignored -> written++;
                        case PreconditionFailed ignored
                        when resent.containsKey(command.name()) ->
                            doubtful.add(command); // perhaps our own earlier write, applied late: look
                        case PreconditionFailed ignored -> refused.add(command.name());
                        case StoreBusy ignored -> again.add(command); // the queue was full: again, once it drained
                        case OutcomeUnknown e -> {
                            unsure.add(command.name());
                            doubtful.add(command);
                            unknown = e;
                        }
                        case RuntimeException e -> throw e;
                        default -> throw new IllegalStateException("unexpected result " + results.get(i));
                    }
                }
                if (!doubtful.isEmpty()) {
                    caughtUp(store, unknown);
                }
                for (Command command : doubtful) {
                    Entry now = store.get(command.name());
                    if (holds(now, command)) {
                        written++;
                    } else if (now != null && !command.precondition().equals(Precondition.NONE)) {
                        refused.add(command.name()); // create-only, and another value was created meanwhile
                    } else if (resent.merge(command.name(), 1, Integer::sum) >= RESOLVE_ROUNDS) {
                        throw unknown != null
                                ? unknown
                                : new OutcomeUnknown("the import of '" + command.name() + "' stayed unresolved", null);
                    } else {
                        again.add(command);
                    }
                }
                chunk = again;
            }
        }
        unsure.removeAll(refused);
        return new Report(written, refused, unsure.size(), expired);
    }

    /**
     * Waits until this store has applied the engine's current state (a quorum read of etcd's revision),
     * so that what it holds tells whether a write of unknown outcome was applied. When the engine cannot
     * say yet (etcd is electing a leader), it waits a little and asks again, a bounded number of times.
     *
     * @return true once caught up
     * @throws OutcomeUnknown {@code unknown} when it never could
     */
    private static boolean caughtUp(Store store, OutcomeUnknown unknown) {
        for (int attempt = 1; ; attempt++) {
            try {
                store.awaitConsistent();
                return true;
            } catch (StoreUnavailable e) {
                if (attempt >= RESOLVE_ROUNDS) {
                    throw unknown != null ? unknown : e;
                }
                try {
                    Thread.sleep(RESOLVE_PAUSE_MS); // a back-off while etcd recovers
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw unknown != null ? unknown : e;
                }
            }
        }
    }

    /** Whether every put of {@code commands} is what the store holds now. */
    private static boolean holdsAll(Store store, List<Command> commands) {
        return commands.stream().allMatch(c -> holds(store.get(c.name()), c));
    }

    /** Whether {@code now} holds exactly the value {@code command} puts. */
    private static boolean holds(Entry now, Command command) {
        return now != null && command instanceof Command.Put put && Arrays.equals(now.data(), put.data());
    }

    /**
     * What an import did: apps written, names refused because they appeared meanwhile, how many of the
     * written were found written (or were sent again) after a write of unknown outcome, and how many were
     * left out because their deadline had passed.
     */
    public record Report(int imported, List<String> refused, int resolved, int expired) {}
}
