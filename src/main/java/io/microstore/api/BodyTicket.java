package io.microstore.api;

import java.time.Duration;

/**
 * One request body's share of {@link InFlightBytes} and its limits, kept in the request's context by
 * {@link BodyGuard} for {@link Bodies#read} and released by BodyGuard when the handler is done. The body
 * timeout runs only while the body is being read, not while a handler works (a slow store is no slow client).
 */
final class BodyTicket {
    private final InFlightBytes budget;
    private final long maxPayload;
    private final Duration timeout;
    private Deadline reading;
    private long held;

    BodyTicket(InFlightBytes budget, long maxPayload, Duration timeout) {
        this.budget = budget;
        this.maxPayload = maxPayload;
        this.timeout = timeout;
    }

    /** Starts the body timeout: the body must be read by then, or the connection is closed. */
    void startReading() {
        reading = Deadline.arm(timeout);
    }

    /** Stops it; if it had fired, clears the interrupt it left (the socket is closed already). */
    void doneReading() {
        if (reading != null && reading.disarm()) {
            Thread.interrupted();
        }
    }

    long maxPayload() {
        return maxPayload;
    }

    /** Charges {@code bytes} more of body (times the cost factor), or throws TooManyBytesInFlight. */
    void take(long bytes) {
        long cost = bytes * InFlightBytes.COST_FACTOR;
        if (!budget.take(held, cost)) {
            throw new TooManyBytesInFlight(budget.budget());
        }
        held += cost;
    }

    boolean timedOut() {
        return reading != null && reading.fired();
    }

    void release() {
        budget.release(held);
        held = 0;
    }
}
