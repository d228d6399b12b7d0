package io.microstore.etcd;

import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import io.microstore.store.StoreUnavailable;

/**
 * The last etcd revision this instance's index has applied, and waits for it to reach a revision: a
 * write is acknowledged only once its own revision is applied here (read-your-writes), and a
 * linearizable read waits for the cluster's current revision the same way.
 */
final class AppliedRevision {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition advanced = lock.newCondition();
    private volatile long applied;
    private volatile boolean closed;

    long get() {
        return applied;
    }

    /** The index has applied {@code revision}; wakes the waits it satisfies. Never moves back. */
    void advance(long revision) {
        lock.lock();
        try {
            if (revision > applied) {
                applied = revision;
            }
            advanced.signalAll();
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
        long deadline = System.nanoTime() + max.toNanos();
        lock.lock();
        try {
            while (applied < revision) {
                if (closed) {
                    throw new StoreUnavailable("the store is shutting down", null);
                }
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return false;
                }
                try {
                    advanced.awaitNanos(remaining);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new StoreUnavailable("interrupted while waiting for seq " + revision, e);
                }
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Ends every wait that is not satisfied yet: the engine is closing. */
    void close() {
        closed = true;
        advance(0);
    }
}
