package io.microstore.api;

/** A request body over {@code server.max-payload-size}, by its Content-Length or as a chunked body is read. */
public final class PayloadTooLarge extends RuntimeException {
    public PayloadTooLarge(long limit) {
        super("the request body is larger than server.max-payload-size (" + limit + " bytes)");
    }
}
