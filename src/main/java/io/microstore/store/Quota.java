package io.microstore.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The store's memory quota ({@code store.max-bytes}) at the door: a PUT, PATCH or import that would take
 * the apps ({@link Index#bytes}), with the writes in flight, over the limit is refused with
 * {@link QuotaExceeded} before it is written. A PUT reserves its growth until it is done, so concurrent
 * PUTs cannot overshoot together; a PATCH, whose value only the engine computes, is checked there; a
 * DELETE is never refused. A transaction counts like its writes would alone, except that the room its
 * DELETEs free makes room for its PUTs (they commit together). Only a write whose estimate a concurrent write to the same app made wrong (it
 * replaced a value that was replaced meanwhile) may overshoot, by at most what is in flight.
 */
final class Quota {
    private final Index index;
    private final long maxBytes;
    private final AtomicLong reserved = new AtomicLong(); // growth of the PUTs submitted and not yet done

    Quota(Index index, long maxBytes) {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("store.max-bytes must be positive, not " + maxBytes);
        }
        this.index = index;
        this.maxBytes = maxBytes;
    }

    long maxBytes() {
        return maxBytes;
    }

    /** Refuses {@code puts} (name to value) when all together they do not fit. */
    void requireRoom(Map<String, byte[]> puts) {
        long growth = 0;
        for (Map.Entry<String, byte[]> put : puts.entrySet()) {
            growth += Math.max(0, growth(put.getKey(), put.getValue()));
        }
        if (growth > 0 && index.bytes() + reserved.get() + growth > maxBytes) {
            throw refused();
        }
    }

    /**
     * Hands {@code txn} to {@code engine} within the quota (see the class comment): it reserves what its
     * PUTs add beyond what its DELETEs free (a single PUT: its growth), and its PATCHes are checked in the
     * engine, each against what the index, the writes in flight and this reservation leave.
     */
    CompletableFuture<TxnOutcome> submit(Transaction txn, Engine engine) {
        long growth = 0;
        List<Command> commands = null; // a copy once a patch is wrapped
        for (int i = 0; i < txn.size(); i++) {
            Command command = txn.commands().get(i);
            switch (command) {
                case Command.Put put -> growth += growth(put.name(), put.data());
                case Command.Delete delete -> {
                    Entry current = index.get(delete.name());
                    growth -= current == null ? 0 : Index.cost(delete.name(), current.data());
                }
                case Command.Patch patch -> {
                    if (commands == null) {
                        commands = new ArrayList<>(txn.commands());
                    }
                    commands.set(i, new Command.Patch(patch.name(),
                            (name, current) -> fitting(current, patch.change().apply(name, current)),
                            patch.precondition()));
                }
                case Command.Check ignored -> { }
            }
        }
        Transaction sent = commands == null ? txn : new Transaction(commands);
        if (growth <= 0) {
            return engine.submit(sent);
        }
        long reservation = growth;
        reserve(reservation);
        try {
            return engine.submit(sent).whenComplete((o, e) -> reserved.addAndGet(-reservation));
        } catch (RuntimeException e) {
            reserved.addAndGet(-reservation);
            throw e;
        }
    }

    /** How much storing {@code data} as {@code name} would add to the index now (negative: it shrinks). */
    private long growth(String name, byte[] data) {
        Entry current = index.get(name);
        return current == null ? Index.cost(name, data) : data.length - current.data().length;
    }

    /** Reserves {@code growth} bytes for a write in flight, unless the index and the writes in flight leave no room. */
    private void reserve(long growth) {
        while (true) {
            long inFlight = reserved.get();
            if (index.bytes() + inFlight + growth > maxBytes) {
                throw refused();
            }
            if (reserved.compareAndSet(inFlight, inFlight + growth)) {
                return;
            }
        }
    }

    /** A patch's new value {@code data} over {@code current}, in the engine: refused when it does not fit. */
    private byte[] fitting(Entry current, byte[] data) {
        long growth = data.length - current.data().length;
        if (growth > 0 && index.bytes() + reserved.get() + growth > maxBytes) {
            throw refused();
        }
        return data;
    }

    private QuotaExceeded refused() {
        return new QuotaExceeded(index.bytes() + reserved.get(), maxBytes);
    }
}
