package io.microstore.api;

/** A request to a protected route without the right bearer token. */
public final class Unauthorized extends RuntimeException {
    public Unauthorized(String message) {
        super(message);
    }
}
