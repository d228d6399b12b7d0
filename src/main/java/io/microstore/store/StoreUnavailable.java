package io.microstore.store;

/** The store takes no writes: it is shutting down, or it stopped after a write or fsync failed. */
public final class StoreUnavailable extends RuntimeException {
    public StoreUnavailable(String message, Throwable cause) {
        super(message, cause);
    }
}
