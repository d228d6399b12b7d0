package io.microstore.store;

/**
 * A write was sent to the engine but no verdict came back (the connection broke, the request timed out):
 * it may or may not have been applied. Never answered as success or as a refusal; the client reads the
 * app to find out.
 */
public final class OutcomeUnknown extends Refusal {
    public OutcomeUnknown(String message, Throwable cause) {
        super(message, cause);
    }
}
