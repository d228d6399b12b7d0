package io.microstore.api;

/**
 * One request body's share of {@link InFlightBytes} and its limits, kept in the request's context by
 * {@link BodyGuard} for {@link Bodies#read} and released by BodyGuard when the handler is done.
 */
final class BodyTicket {
    private final InFlightBytes budget;
    private final long maxPayload;
    private final Deadline deadline;
    private long held;

    BodyTicket(InFlightBytes budget, long maxPayload, Deadline deadline) {
        this.budget = budget;
        this.maxPayload = maxPayload;
        this.deadline = deadline;
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
        return deadline.fired();
    }

    void release() {
        budget.release(held);
        held = 0;
    }
}
