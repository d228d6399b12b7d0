package io.microstore.store;

/** The store takes no writes: it is shutting down, it stopped after a write or fsync failed, or etcd is unreachable. */
public final class StoreUnavailable extends Refusal {
    private final int retryAfterSeconds;

    public StoreUnavailable(String message, Throwable cause) {
        this(message, cause, 0);
    }

    /** {@code retryAfterSeconds} > 0: the condition is passing (e.g. an election), worth a retry then. */
    public StoreUnavailable(String message, Throwable cause, int retryAfterSeconds) {
        super(message, cause);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** Seconds after which a retry may succeed, 0 when unknown (no Retry-After). */
    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
