package io.microstore.api;

/**
 * A request body that does not fit in {@code server.max-in-flight-bytes} now: other bodies being read or
 * handled hold the budget. Answered 503 with Retry-After, since the room comes back as they finish.
 */
public final class TooManyBytesInFlight extends RuntimeException {
    public TooManyBytesInFlight(long budget) {
        super("the server is handling too many request bodies at once (server.max-in-flight-bytes = " + budget
                + "); retry shortly");
    }
}
