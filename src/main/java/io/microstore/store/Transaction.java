package io.microstore.store;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Commands on distinct apps that commit together or not at all, in one commit with one seq (a single
 * write is a transaction of one). Both engines decide it by {@link #plan} against the state it commits
 * on, so they answer alike: first every command's precondition, in order, and the first that does not
 * hold refuses the whole transaction (412); then each command's new value, in order, and the first
 * that cannot be computed refuses it (404 for a patch of an absent app, 409/422 for a patch that does
 * not apply, 507 for one over the quota). Since every app appears once, the commands do not see each
 * other's effects, and their order only decides which refusal is reported.
 */
public record Transaction(List<Command> commands, boolean alone) {
    /**
     * Most commands in a transaction a client sends ({@code POST /api/txn}), and in one cluster-mode commit:
     * etcd's default {@code --max-txn-ops}, which each list of its txn must keep. An import is one commit
     * of any size on the local engine ({@link Engine#maxCommands}).
     */
    public static final int MAX_COMMANDS = 128;

    /**
     * @throws BadTransaction when {@code commands} is empty
     * @throws TxnRefused with a {@link BadTransaction} when it names an app twice
     */
    public Transaction {
        commands = List.copyOf(commands);
        if (alone && commands.size() != 1) {
            throw new IllegalArgumentException("a write alone is one command");
        }
        if (commands.isEmpty()) {
            throw new BadTransaction(emptyMessage());
        }
        if (commands.size() > 1) {
            Map<String, Integer> seen = new HashMap<>();
            for (int i = 0; i < commands.size(); i++) {
                Integer first = seen.putIfAbsent(commands.get(i).name(), i);
                if (first != null) {
                    throw new TxnRefused(
                            i,
                            new BadTransaction("app '" + commands.get(i).name() + "' is operation " + first
                                    + " already: an app may appear once in a transaction"));
                }
            }
        }
    }

    /**
     * Refuses a transaction a client sends with {@code size} commands, before they are read: it holds 1 to
     * {@link #MAX_COMMANDS}.
     *
     * @throws BadTransaction when it does not
     */
    public static void checkSize(int size) {
        if (size == 0) {
            throw new BadTransaction(emptyMessage());
        }
        if (size > MAX_COMMANDS) {
            throw new BadTransaction(
                    "the transaction has " + size + " operations; at most " + MAX_COMMANDS + " are allowed");
        }
    }

    private static String emptyMessage() {
        return "the transaction is empty: send a JSON array of 1 to " + MAX_COMMANDS + " operations";
    }

    /** A transaction a client sent (even of one command, its refusals name the command's index). */
    public Transaction(List<Command> commands) {
        this(commands, false);
    }

    /** A single write: a transaction of one command, refused as the command itself. */
    public static Transaction of(Command command) {
        return new Transaction(List.of(command), true);
    }

    /**
     * How the command at {@code index} refuses the transaction: as itself for a write alone, else with its
     * index ({@link TxnRefused}).
     */
    public RuntimeException refusal(int index, RuntimeException reason) {
        return alone ? reason : new TxnRefused(index, reason);
    }

    public int size() {
        return commands.size();
    }

    /**
     * This transaction with each patch computed over its app's entry in {@code state} ({@link Prepared}),
     * on the caller's thread; a patch computed over that entry already is kept. Itself when it has none.
     */
    public Transaction prepare(Function<String, Entry> state) {
        List<Command> prepared = null;
        for (int i = 0; i < commands.size(); i++) {
            if (commands.get(i) instanceof Command.Patch patch) {
                Entry current = state.apply(patch.name());
                if (patch.prepared() == null || !patch.prepared().isFor(current)) {
                    if (prepared == null) {
                        prepared = new ArrayList<>(commands);
                    }
                    prepared.set(
                            i,
                            new Command.Patch(
                                    patch.name(),
                                    patch.change(),
                                    patch.precondition(),
                                    Prepared.compute(patch, current)));
                }
            }
        }
        return prepared == null ? this : new Transaction(prepared, alone);
    }

    /**
     * What the transaction does over {@code state} (an app's current entry by name, null when absent),
     * one step per command in order; or its refusal, by the rule in the class comment.
     *
     * @throws RuntimeException the refusal ({@link #refusal}: with the index of the command that refused it)
     * @throws Stale when a patch was computed over another version of its app
     */
    public List<Step> plan(Function<String, Entry> state) {
        int n = commands.size();
        Entry[] before = new Entry[n];
        for (int i = 0; i < n; i++) {
            Command command = commands.get(i);
            before[i] = state.apply(command.name());
            if (!command.precondition().allows(before[i])) {
                throw refusal(i, new PreconditionFailed(command.name(), before[i]));
            }
        }
        List<Step> steps = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Command command = commands.get(i);
            try {
                steps.add(new Step(command, before[i], command.valueAfter(before[i])));
            } catch (Stale stale) {
                throw stale; // not a refusal: the store computes the patch again
            } catch (RuntimeException e) {
                throw refusal(i, e);
            }
        }
        return steps;
    }

    /**
     * One command's part in a plan: the entry it was decided on ({@code before}, null when absent) and the
     * value it leaves ({@code after}: compact JSON, null for a delete; the current value for a check).
     */
    public record Step(Command command, Entry before, byte[] after) {
        /**
         * Whether it changes the app: a put always (a new version), a patch unless it leaves the value as it
         * was, a delete only of an app that exists.
         */
        public boolean changes() {
            return switch (command) {
                case Command.Put ignored -> true;
                case Command.Patch ignored -> !unchangedByPatch();
                case Command.Delete ignored -> before != null;
                case Command.Check ignored -> false;
            };
        }

        /**
         * Whether it writes the app's key: a put, a patch that changes the value, or a delete (a delete of
         * nothing writes nothing, but is sent). A check or a patch that changes nothing only holds its
         * app at {@code before}.
         */
        public boolean writes() {
            return !(command instanceof Command.Check) && !unchangedByPatch();
        }

        private boolean unchangedByPatch() {
            return command instanceof Command.Patch && before != null && Arrays.equals(after, before.data());
        }
    }
}
