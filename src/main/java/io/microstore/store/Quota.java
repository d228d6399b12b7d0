package io.microstore.store;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The store's memory quota ({@code store.max-bytes}) at the door: a PUT, PATCH or import that would take
 * the apps ({@link Index#bytes}), with the writes in flight, over the limit is refused with
 * {@link QuotaExceeded} before it is written. A PUT, or a PATCH computed before it is handed over,
 * reserves its growth until it is done, so concurrent writes cannot overshoot together; a DELETE is
 * never refused. A transaction counts like its writes would alone, except that the room its
 * DELETEs free makes room for its PUTs (they commit together). Only a write whose estimate a concurrent write to the same app made wrong (it
 * replaced a value that was replaced meanwhile) may overshoot, by at most what is in flight.
 */
final class Quota {
    private final Index index;
    private final long maxBytes;
    private final AtomicLong reserved = new AtomicLong(); // growth of the PUTs submitted and not yet done
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition released = lock.newCondition(); // signalled when a reservation is given back
    private final AtomicInteger waiting = new AtomicInteger(); // writes waiting in awaitRelease
    /**
     * How long a write that does not fit waits for the writes in flight before it is refused: between its
     * apply to the index and the release of its reservation a write is counted twice, so a write that fits
     * could otherwise be refused beside concurrent ones (an etcd write takes up to its request timeout).
     */
    private static final Duration SETTLE = Duration.ofSeconds(5);

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
     * PUTs and computed PATCHes add beyond what its DELETEs free (a single write: its growth). A PATCH that
     * does not fit on its own refuses the transaction with its index, as it would alone.
     */
    CompletableFuture<TxnOutcome> submit(Transaction txn, Engine engine) {
        long growth = 0;
        for (int i = 0; i < txn.size(); i++) {
            switch (txn.commands().get(i)) {
                case Command.Put put -> growth += growth(put.name(), put.data());
                case Command.Delete delete -> {
                    Entry current = index.get(delete.name());
                    growth -= current == null ? 0 : Index.cost(delete.name(), current.data());
                }
                case Command.Patch patch -> {
                    Prepared prepared = patch.prepared();
                    long more = prepared == null || prepared.value() == null
                            ? 0
                            : prepared.value().length - prepared.basis().data().length;
                    if (more > 0 && !fits(more)) {
                        throw txn.refusal(
                                i, refused()); // refused as a PATCH alone would be, with its index in a transaction
                    }
                    growth += more;
                }
                case Command.Check ignored -> {}
            }
        }
        if (growth <= 0) {
            return engine.submit(txn);
        }
        long reservation = growth;
        reserve(reservation);
        try {
            return engine.submit(txn).whenComplete((o, e) -> release(reservation));
        } catch (RuntimeException e) {
            release(reservation);
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
        if (!admit(growth, true)) {
            throw refused();
        }
    }

    /** Whether {@code growth} fits beside the index and the writes in flight (nothing is reserved). */
    private boolean fits(long growth) {
        return admit(growth, false);
    }

    /**
     * Whether {@code growth} fits beside the index and the writes in flight, reserving it when asked; when it
     * does not while writes are in flight, asked again as each of them finishes, for at most {@link #SETTLE}.
     */
    private boolean admit(long growth, boolean reserve) {
        long deadline = 0; // taken only once it has to wait: the clock is not read on a write that fits
        while (true) {
            long inFlight = reserved.get();
            if (index.bytes() + inFlight + growth <= maxBytes) {
                if (!reserve || reserved.compareAndSet(inFlight, inFlight + growth)) {
                    return true;
                }
                continue;
            }
            if (inFlight <= 0) {
                return false;
            }
            if (deadline == 0) {
                deadline = System.nanoTime() + SETTLE.toNanos();
            }
            if (!awaitRelease(inFlight, deadline)) {
                return false;
            }
        }
    }

    /** Waits until the writes in flight are no longer {@code seen} bytes; false when the deadline passed first. */
    private boolean awaitRelease(long seen, long deadline) {
        lock.lock();
        waiting.incrementAndGet(); // before reserved is read again: a release after that read sees it and signals
        try {
            while (reserved.get() == seen) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                released.awaitNanos(left);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            waiting.decrementAndGet();
            lock.unlock();
        }
    }

    /** Gives a reservation back; the lock is taken only when a write waits for one (a PUT's path otherwise). */
    private void release(long growth) {
        reserved.addAndGet(-growth);
        if (waiting.get() > 0) {
            lock.lock();
            try {
                released.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    private QuotaExceeded refused() {
        return new QuotaExceeded(index.bytes() + reserved.get(), maxBytes);
    }
}
