package io.microstore.etcd;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.microstore.etcd.gateway.Compare;
import io.microstore.etcd.gateway.EtcdClient;
import io.microstore.etcd.gateway.EtcdException;
import io.microstore.etcd.gateway.EtcdOutcomeUnknown;
import io.microstore.etcd.gateway.EtcdRejected;
import io.microstore.etcd.gateway.KeyValue;
import io.microstore.etcd.gateway.RangeResult;
import io.microstore.etcd.gateway.RequestOp;
import io.microstore.etcd.gateway.ResponseOp;
import io.microstore.etcd.gateway.TxnResult;
import io.microstore.store.Command;
import io.microstore.store.Entry;
import io.microstore.store.Index;
import io.microstore.store.Outcome;
import io.microstore.store.OutcomeUnknown;
import io.microstore.store.StoreUnavailable;
import io.microstore.store.Transaction;
import io.microstore.store.TxnOutcome;
import io.microstore.store.ValueTooLarge;

/**
 * One transaction (a single write: a transaction of one) as one etcd txn, so all its writes get one
 * revision. It is decided ({@link Transaction#plan}) against this instance's index (which may lag) and
 * sent with a compare per command whose outcome depends on its app's state (a condition, a check, a
 * patch computed from the value), saying "the key is still in the state decided on", all the writes in
 * the success branch and a read of each compared key in the failure branch. When the compares fail it is
 * decided again against what etcd returned, a bounded number of times (a PATCH is computed again over it,
 * on this thread: {@link Transaction#prepare}).
 * A refusal (412, 404, ...) is only given against a state etcd confirmed. A write is acknowledged once
 * this instance's index has applied its revision.
 *
 * <p>Each of etcd's three lists (compares, success, failure) holds at most one entry per command, so a
 * transaction of {@link Transaction#MAX_COMMANDS} fits etcd's default {@code --max-txn-ops} of 128.
 *
 * <p>Writes that compare nothing and only put are sent together with concurrent ones ({@link PutBatches}).
 *
 * <p>A PUT with a deadline puts its value with a lease of its own ({@link Leases}; in a transaction, one
 * per such PUT) and the deadline in the value ({@link Values}); a PUT without one detaches the key from
 * any lease it had; a PATCH keeps the key's lease ({@code ignore_lease}), and so its deadline.
 */
final class TxnWriter {
    private final EtcdClient client;
    private final AppKeys keys;
    private final Index index;
    private final AppliedRevision applied;
    private final EtcdConfig config;
    private final Leases leases;
    private final PutBatches batches;

    TxnWriter(EtcdClient client, AppKeys keys, Index index, AppliedRevision applied, EtcdConfig config, Leases leases) {
        this.client = client;
        this.keys = keys;
        this.index = index;
        this.applied = applied;
        this.config = config;
        this.leases = leases;
        this.batches = new PutBatches(client);
    }

    /** Runs {@code txn}; etcd's failures become StoreUnavailable, OutcomeUnknown or ValueTooLarge. */
    TxnOutcome execute(Transaction txn) {
        try (Leases.ForWrite leased = leases.forWrite()) {
            return retry(txn, leased);
        } catch (EtcdOutcomeUnknown e) {
            throw new OutcomeUnknown(
                    "etcd did not answer whether the write of " + what(txn) + " was applied: " + e.getMessage(), e);
        } catch (EtcdRejected e) {
            if (EtcdErrors.tooLarge(e)) {
                throw new ValueTooLarge(
                        "etcd refused the write of " + what(txn) + " (" + e.etcdMessage()
                                + "): the value is larger than etcd accepts (--max-request-bytes)",
                        e);
            }
            throw EtcdErrors.unavailable(e);
        } catch (EtcdException e) { // EtcdUnreachable
            throw EtcdErrors.unavailable(e);
        }
    }

    private TxnOutcome retry(Transaction txn, Leases.ForWrite leased) throws EtcdException {
        List<Command> commands = txn.commands();
        List<Integer> compared = new ArrayList<>(); // the commands whose app's state the txn compares
        for (int i = 0; i < commands.size(); i++) {
            if (conditional(commands.get(i))) {
                compared.add(i);
            }
        }
        Map<String, Entry> state = new HashMap<>(); // decided on: the index's entries, then what etcd returned
        for (Command command : commands) {
            state.put(command.name(), index.get(command.name()));
        }
        long confirmed = 0; // the revision at which etcd returned the state; 0: it is only the index's
        Transaction decided = txn;
        for (int attempt = 0; attempt <= config.casRetries(); attempt++) {
            List<Transaction.Step> steps;
            try {
                decided = decided.prepare(state::get); // a patch is computed again over what etcd returned
                steps = decided.plan(state::get);
            } catch (RuntimeException refusal) {
                if (confirmed > 0) {
                    throw settled(confirmed, refusal);
                }
                // Refused against the index, which may lag: ask etcd whether the keys are in that state.
                TxnResult check = client.txn(compares(commands, compared, state), List.of(), reads(commands, compared));
                if (check.succeeded()) {
                    throw settled(check.revision(), refusal);
                }
                read(check, commands, compared, state);
                confirmed = check.revision();
                continue;
            }
            List<RequestOp> writes = new ArrayList<>(steps.size() + 1);
            long[] expires = new long[steps.size()];
            boolean deletes = false;
            for (int i = 0; i < steps.size(); i++) {
                Transaction.Step step = steps.get(i);
                if (step.writes()) {
                    expires[i] = step.after() == null ? 0 : step.command().expiresAfter(step.before());
                    writes.add(write(step, expires[i] > 0 ? leased : null, expires, i));
                    deletes |= step.after() == null && step.before() != null;
                }
            }
            if (deletes) {
                // Signs the revision as a client's: etcd's expiry of a lease deletes a key in a revision
                // of its own, without the marker, which is how every instance tells the two apart (Mirror).
                // Last, so the responses of the steps keep their places.
                writes.add(keys.touchMarker());
            }
            TxnResult txnResult;
            try {
                txnResult = compared.isEmpty() && PutBatches.batchable(writes)
                        ? batches.put(writes)
                        : client.txn(compares(commands, compared, state), writes, reads(commands, compared));
            } catch (EtcdOutcomeUnknown e) {
                leased.unknown();
                throw e;
            }
            if (txnResult.succeeded()) {
                leased.committed(txnResult.responses());
                return acknowledge(txnResult, steps, expires);
            }
            read(txnResult, commands, compared, state);
            confirmed = txnResult.revision();
        }
        throw new StoreUnavailable(
                what(txn) + " changed " + config.casRetries()
                        + " times while this write was retried against it; try again",
                null,
                1);
    }

    /**
     * The op of {@code step}, which writes its value (null: deletes it) expiring at {@code expires[i]}: a
     * PATCH keeps the key's lease, any other put attaches the key to a lease of its own from {@code leased}
     * (null: to none), and {@code expires[i]} becomes the deadline etcd granted (at least its minimum TTL).
     * The key's previous state is asked for when it had a deadline, so that its lease can be revoked once
     * spare.
     */
    private RequestOp write(Transaction.Step step, Leases.ForWrite leased, long[] expires, int i) throws EtcdException {
        String name = step.command().name();
        byte[] key = keys.key(name);
        boolean prevKv = step.before() != null && step.before().expires() > 0;
        if (step.after() == null) {
            return new RequestOp.Delete(key, prevKv);
        }
        if (step.command() instanceof Command.Patch) {
            return new RequestOp.Put(key, Values.encode(step.after(), expires[i]), 0, true, false);
        }
        long lease = 0;
        if (leased != null) {
            Leases.Granted granted = leased.get(name, expires[i]);
            expires[i] = granted.expires();
            lease = granted.id();
        }
        return new RequestOp.Put(key, Values.encode(step.after(), expires[i]), lease, false, prevKv);
    }

    /** Whether the outcome depends on the app's state: a precondition, a check, or a PATCH computed from it. */
    private static boolean conditional(Command command) {
        return command.precondition().ifMatch() != null
                || command.precondition().ifNoneMatch() != null
                || command instanceof Command.Patch
                || command instanceof Command.Check;
    }

    /** The compares "each compared key is in the state decided on". */
    private List<Compare> compares(List<Command> commands, List<Integer> compared, Map<String, Entry> state) {
        List<Compare> compares = new ArrayList<>(compared.size());
        for (int i : compared) {
            String name = commands.get(i).name();
            compares.add(stateIs(keys.key(name), state.get(name)));
        }
        return compares;
    }

    /** The failure branch: a read of each compared key, in the same order. */
    private List<RequestOp> reads(List<Command> commands, List<Integer> compared) {
        List<RequestOp> reads = new ArrayList<>(compared.size());
        for (int i : compared) {
            reads.add(RequestOp.get(keys.key(commands.get(i).name())));
        }
        return reads;
    }

    /** Takes the compared keys' states from a failed txn's reads (confirmed by etcd at its revision). */
    private static void read(
            TxnResult failed, List<Command> commands, List<Integer> compared, Map<String, Entry> state) {
        for (int r = 0; r < compared.size(); r++) {
            state.put(commands.get(compared.get(r)).name(), entry(failed.get(r)));
        }
    }

    /**
     * The outcome of a successful txn, once this instance's index has applied it (read-your-writes). A
     * txn that changed nothing (checks, deletes of nothing) used no revision: its outcome is the state
     * etcd confirmed at its revision, answered once this instance has seen that revision.
     */
    private TxnOutcome acknowledge(TxnResult txn, List<Transaction.Step> steps, long[] expires) {
        long revision = txn.revision();
        boolean changed = false;
        List<Outcome> outcomes = new ArrayList<>(steps.size());
        int response = 0;
        for (int i = 0; i < steps.size(); i++) {
            Transaction.Step step = steps.get(i);
            if (!step.writes()) {
                outcomes.add(new Outcome(0, step.before())); // a check: the state it held in
            } else if (step.after() != null) {
                response++;
                changed = true;
                outcomes.add(new Outcome(revision, new Entry(step.after(), revision, expires[i])));
            } else if (txn.responses().get(response++) instanceof ResponseOp.Delete d && d.deleted() > 0) {
                changed = true;
                outcomes.add(new Outcome(revision, null));
            } else {
                outcomes.add(new Outcome(0, null)); // deleting nothing consumes no revision
            }
        }
        if (!changed) {
            settled(revision, null);
            return new TxnOutcome(revision, false, outcomes);
        }
        if (!applied.await(revision, config.ackTimeout())) {
            throw new StoreUnavailable(
                    "the write committed at seq " + revision + " but this instance has "
                            + "not seen it yet (its watch of etcd is at " + applied.get()
                            + "); it will show up here soon",
                    null);
        }
        return new TxnOutcome(revision, true, outcomes);
    }

    /**
     * Waits until this instance's index has applied {@code revision}, the etcd state an answer was
     * decided on, so that no later read here shows an older state than the answer did (a 412 or a 204
     * decided on etcd's state while the index lagged would otherwise be followed by a stale read).
     * Returns {@code refusal}, to throw.
     */
    private RuntimeException settled(long revision, RuntimeException refusal) {
        if (!applied.await(revision, config.ackTimeout())) {
            throw new StoreUnavailable(
                    "etcd answered at seq " + revision + " but this instance has not seen that "
                            + "seq yet (its watch of etcd is at " + applied.get() + "); try again",
                    null,
                    1);
        }
        return refusal;
    }

    /** The compare "the key is in the state {@code current}". */
    private static Compare stateIs(byte[] key, Entry current) {
        return current == null ? Compare.absent(key) : Compare.modRevisionIs(key, current.seq());
    }

    private static Entry entry(RangeResult read) {
        if (read.kvs().isEmpty()) {
            return null;
        }
        KeyValue kv = read.kvs().getFirst();
        Values.Stored value = Values.decode(kv.value());
        return new Entry(value.data(), kv.modRevision(), value.expires());
    }

    /** How messages name the write: {@code 'name'} alone, or the transaction's size and first name. */
    private static String what(Transaction txn) {
        String first = "'" + txn.commands().getFirst().name() + "'";
        return txn.size() == 1 ? "app " + first : "the transaction of " + txn.size() + " apps (" + first + ", ...)";
    }
}
