package io.microstore.api;

/** A request the service understood but cannot accept as sent (bad body, header or parameter). */
public final class BadRequest extends RuntimeException {
    public BadRequest(String message) {
        super(message);
    }
}
