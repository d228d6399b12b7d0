package io.microstore.api;

/**
 * A chunked request body that breaks RFC 9112's framing (section 7.1). Answered 400 with the connection
 * closed: where the body ends, and so where a next request would start, is no longer known.
 */
public final class MalformedChunks extends RuntimeException {
    public MalformedChunks(String message) {
        super("the chunked request body is malformed: " + message);
    }
}
