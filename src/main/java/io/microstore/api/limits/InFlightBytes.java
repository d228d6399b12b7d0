package io.microstore.api.limits;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code server.max-in-flight-bytes}: the heap that request bodies being read and handled may hold at
 * once, so many concurrent large bodies get 503 instead of running the JVM out of heap. A body is
 * charged {@link #COST_FACTOR} times its bytes, as they arrive: its raw bytes, the compacted copy the
 * store keeps and the parse and copies in between (a JSON-P tree, for PATCH, is larger still, but PATCH
 * bodies are small).
 */
public final class InFlightBytes {
    /** Heap per byte of body while it is read and handled. */
    public static final int COST_FACTOR = 4;

    private final long budget;
    private final AtomicLong used = new AtomicLong();
    /** The one request that may go over the budget, or null. */
    private final AtomicReference<Object> overdraft = new AtomicReference<>();

    public InFlightBytes(long budget) {
        this.budget = budget;
    }

    /**
     * Takes {@code cost} more for {@code owner}; false when it does not fit. One request at a time may go
     * over the budget (by at most its own body, which max-payload-size bounds): the first that would not
     * fit. Without it, bodies arriving together could each hold a part of the budget, none could finish,
     * and every one got 503. So a body alone in the server is never refused, and some body always finishes.
     */
    boolean take(Object owner, long cost) {
        while (true) {
            long now = used.get();
            if (now + cost > budget && overdraft.get() != owner && !overdraft.compareAndSet(null, owner)) {
                return false;
            }
            if (used.compareAndSet(now, now + cost)) {
                return true;
            }
        }
    }

    /** Gives back what {@code owner} took, and the overdraft if it held it. */
    void release(Object owner, long cost) {
        used.addAndGet(-cost);
        overdraft.compareAndSet(owner, null);
    }

    long budget() {
        return budget;
    }

    /** What is taken now (for tests and metrics). */
    public long used() {
        return used.get();
    }
}
