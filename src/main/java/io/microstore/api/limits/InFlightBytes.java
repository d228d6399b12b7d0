package io.microstore.api.limits;

import java.util.concurrent.atomic.AtomicLong;

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

    public InFlightBytes(long budget) {
        this.budget = budget;
    }

    /**
     * Takes {@code cost} more for a request that holds {@code held} already; false when it does not fit.
     * A request alone in the server always gets its share, so a body under max-payload-size is never
     * refused for ever on a small heap.
     */
    boolean take(long held, long cost) {
        while (true) {
            long now = used.get();
            if (now + cost > budget && now != held) {
                return false;
            }
            if (used.compareAndSet(now, now + cost)) {
                return true;
            }
        }
    }

    void release(long cost) {
        used.addAndGet(-cost);
    }

    long budget() {
        return budget;
    }

    /** What is taken now (for tests and metrics). */
    public long used() {
        return used.get();
    }
}
