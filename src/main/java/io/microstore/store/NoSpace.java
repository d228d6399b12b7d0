package io.microstore.store;

/**
 * The data directory's filesystem is full (ENOSPC or EDQUOT): the write was not made durable and is not
 * applied. Answered with 507; the engine keeps serving reads and takes writes again once space returns.
 */
public final class NoSpace extends Refusal {
    public NoSpace(String message, Throwable cause) {
        super(message, cause);
    }
}
