package io.microstore.etcd;

import java.time.Duration;
import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

import io.microstore.store.StoreUnavailable;

/**
 * The last etcd revision this instance's index has applied, and waits for it to reach a revision: a
 * write is acknowledged only once its own revision is applied here (read-your-writes), and a
 * linearizable read waits for the cluster's current revision the same way.
 */
final class AppliedRevision {
    private final ReentrantLock lock = new ReentrantLock();
    /** The waits not satisfied yet, lowest revision first: an advance wakes only those it satisfies. */
    private final PriorityQueue<Waiter> waiters = new PriorityQueue<>(Comparator.comparingLong(Waiter::revision));

    private volatile long applied;
    private volatile boolean closed;

    /** One waiting thread and the revision it waits for. */
    private record Waiter(long revision, Thread thread) {}

    long get() {
        return applied;
    }

    /**
     * The index has applied {@code revision}; wakes the waits it satisfies, and only those (with 64 writes
     * in flight, waking every waiter on every revision cost more CPU than the writes). Never moves back.
     */
    void advance(long revision) {
        lock.lock();
        try {
            if (revision > applied) {
                applied = revision;
            }
            while (!waiters.isEmpty() && (waiters.peek().revision() <= applied || closed)) {
                LockSupport.unpark(waiters.poll().thread());
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until {@code revision} is applied, at most {@code max}; false when the time ran out.
     *
     * @throws StoreUnavailable when closed or interrupted meanwhile
     */
    boolean await(long revision, Duration max) {
        if (applied >= revision) {
            return true;
        }
        long deadline = System.nanoTime() + max.toNanos();
        Waiter waiter = new Waiter(revision, Thread.currentThread());
        lock.lock();
        try {
            if (applied >= revision) {
                return true;
            }
            waiters.add(waiter);
        } finally {
            lock.unlock();
        }
        try {
            while (applied < revision) {
                if (closed) {
                    throw new StoreUnavailable("the store is shutting down", null);
                }
                if (Thread.interrupted()) {
                    Thread.currentThread().interrupt();
                    throw new StoreUnavailable("interrupted while waiting for seq " + revision, null);
                }
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return false;
                }
                LockSupport.parkNanos(this, remaining);
            }
            return true;
        } finally {
            lock.lock();
            try {
                waiters.remove(waiter); // gone already when an advance woke it; O(n) only on the way out early
            } finally {
                lock.unlock();
            }
        }
    }

    /** Ends every wait that is not satisfied yet: the engine is closing. */
    void close() {
        closed = true;
        advance(0);
    }
}
