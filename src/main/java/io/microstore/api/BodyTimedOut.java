package io.microstore.api;

/**
 * A request body that did not arrive within {@code server.body-timeout}; the connection is already
 * closed, so the answer (408) is only for the logs and metrics.
 */
public final class BodyTimedOut extends RuntimeException {
    public BodyTimedOut(String message) {
        super(message);
    }
}
