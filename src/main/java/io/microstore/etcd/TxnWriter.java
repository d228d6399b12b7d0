package io.microstore.etcd;

import java.util.List;

import io.microstore.store.Command;
import io.microstore.store.Entry;
import io.microstore.store.Index;
import io.microstore.store.Outcome;
import io.microstore.store.OutcomeUnknown;
import io.microstore.store.PreconditionFailed;
import io.microstore.store.StoreUnavailable;
import io.microstore.store.ValueTooLarge;

/**
 * One command as one etcd txn. The command is evaluated against this instance's index (which may lag)
 * and sent with compares saying "the key is still in the state evaluated against", and a failure branch
 * that reads the key; when the compares fail it is re-evaluated against what etcd returned, a bounded
 * number of times (PATCH is recomputed that way). A refusal (412, 404) is only given against a state
 * etcd confirmed. A write is acknowledged once this instance's index has applied its revision.
 *
 * <p>A PUT with a deadline puts its value with a lease of its own ({@link Leases}) and the deadline in the
 * value ({@link Values}); a PUT without one detaches the key from any lease it had; a PATCH keeps the
 * key's lease ({@code ignore_lease}), and so its deadline.
 */
final class TxnWriter {
    private final EtcdClient client;
    private final AppKeys keys;
    private final Index index;
    private final AppliedRevision applied;
    private final EtcdConfig config;
    private final Leases leases;

    TxnWriter(EtcdClient client, AppKeys keys, Index index, AppliedRevision applied, EtcdConfig config, Leases leases) {
        this.client = client;
        this.keys = keys;
        this.index = index;
        this.applied = applied;
        this.config = config;
        this.leases = leases;
    }

    /** Runs {@code command}; etcd's failures become StoreUnavailable, OutcomeUnknown or ValueTooLarge. */
    Outcome execute(Command command) {
        String name = command.name();
        try (Leases.ForWrite lease = leases.forWrite()) {
            return retry(command, lease);
        } catch (EtcdOutcomeUnknown e) {
            throw new OutcomeUnknown("etcd did not answer whether the write of '" + name + "' was applied: "
                    + e.getMessage(), e);
        } catch (EtcdRejected e) {
            if (EtcdErrors.tooLarge(e)) {
                throw new ValueTooLarge("etcd refused the write of '" + name + "' (" + e.etcdMessage()
                        + "): the value is larger than etcd accepts (--max-request-bytes)", e);
            }
            throw EtcdErrors.unavailable(e);
        } catch (EtcdException e) { // EtcdUnreachable
            throw EtcdErrors.unavailable(e);
        }
    }

    private Outcome retry(Command command, Leases.ForWrite lease) throws EtcdException {
        String name = command.name();
        byte[] key = keys.key(name);
        Entry current = index.get(name);
        long confirmed = 0; // the revision at which etcd returned current; 0: current is only the index's
        for (int attempt = 0; attempt <= config.casRetries(); attempt++) {
            byte[] data;
            try {
                data = evaluate(command, current);
            } catch (RuntimeException refusal) {
                if (confirmed > 0) {
                    throw settled(confirmed, refusal);
                }
                // Refused against the index, which may lag: ask etcd whether the key is in that state.
                TxnResult check = check(key, current);
                if (check.succeeded()) {
                    throw settled(check.revision(), refusal);
                }
                current = entry(check.get(0));
                confirmed = check.revision();
                continue;
            }
            boolean conditional = conditional(command);
            if (data == null && current == null && conditional) {
                // a conditional delete of what looks absent: no write, but etcd must confirm the absence
                TxnResult check = check(key, null);
                if (check.succeeded()) {
                    settled(check.revision(), null);
                    return new Outcome(0, null);
                }
                current = entry(check.get(0));
                confirmed = check.revision();
                continue;
            }
            List<Compare> compares = conditional ? List.of(stateIs(key, current)) : List.of();
            long expires = data == null ? 0 : command.expiresAfter(current);
            if (expires > 0 && !(command instanceof Command.Patch)) {
                expires = lease.get(expires).expires(); // what etcd granted: at least its minimum TTL
            }
            Op write = write(command, key, data, current, expires, lease.id());
            TxnResult txn;
            try {
                txn = client.txn(compares, List.of(write), List.of(Op.get(key)));
            } catch (EtcdOutcomeUnknown e) {
                lease.unknown();
                throw e;
            }
            if (txn.succeeded()) {
                lease.committed(txn.responses().getFirst());
                return acknowledge(txn, data, expires);
            }
            current = entry(txn.get(0));
            confirmed = txn.revision();
        }
        throw new StoreUnavailable("app '" + name + "' changed " + config.casRetries()
                + " times while this write was retried against it; try again", null, 1);
    }

    /** The value {@code command} writes over {@code current}, or its refusal (412, 404). */
    private static byte[] evaluate(Command command, Entry current) {
        if (!command.precondition().allows(current)) {
            throw new PreconditionFailed(command.name(), current);
        }
        return command.valueAfter(current);
    }

    /**
     * The op that writes {@code data} (null: deletes) expiring at {@code expires} over {@code current}: a
     * PATCH keeps the key's lease, any other put attaches the key to {@code lease} (0: to none). The key's
     * previous state is asked for when it had a deadline, so that its lease can be revoked once spare.
     */
    private static Op write(Command command, byte[] key, byte[] data, Entry current, long expires, long lease) {
        boolean prevKv = current != null && current.expires() > 0;
        if (data == null) {
            return new Op.Delete(key, prevKv);
        }
        if (command instanceof Command.Patch) {
            return new Op.Put(key, Values.encode(data, expires), 0, true, false);
        }
        return new Op.Put(key, Values.encode(data, expires), lease, false, prevKv);
    }

    /** Whether the write depends on the key's state: a precondition, or a PATCH computed from it. */
    private static boolean conditional(Command command) {
        return command.precondition().ifMatch() != null || command.precondition().ifNoneMatch() != null
                || command instanceof Command.Patch;
    }

    /** Asks etcd whether the key is in the state {@code current}; reads it when not. */
    private TxnResult check(byte[] key, Entry current) throws EtcdException {
        return client.txn(List.of(stateIs(key, current)), List.of(), List.of(Op.get(key)));
    }

    /** The outcome of a successful txn, once this instance's index has applied it (read-your-writes). */
    private Outcome acknowledge(TxnResult txn, byte[] data, long expires) {
        if (data == null && txn.responses().getFirst() instanceof OpResponse.Delete d && d.deleted() == 0) {
            settled(txn.revision(), null);
            return new Outcome(0, null); // deleting nothing consumes no revision
        }
        long revision = txn.revision();
        if (!applied.await(revision, config.ackTimeout())) {
            throw new StoreUnavailable("the write committed at seq " + revision + " but this instance has "
                    + "not seen it yet (its watch of etcd is at " + applied.get() + "); it will show up here soon",
                    null);
        }
        return new Outcome(revision, data == null ? null : new Entry(data, revision, expires));
    }

    /**
     * Waits until this instance's index has applied {@code revision}, the etcd state an answer was
     * decided on, so that no later read here shows an older state than the answer did (a 412 or a 204
     * decided on etcd's state while the index lagged would otherwise be followed by a stale read).
     * Returns {@code refusal}, to throw.
     */
    private RuntimeException settled(long revision, RuntimeException refusal) {
        if (!applied.await(revision, config.ackTimeout())) {
            throw new StoreUnavailable("etcd answered at seq " + revision + " but this instance has not seen that "
                    + "seq yet (its watch of etcd is at " + applied.get() + "); try again", null, 1);
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
}
