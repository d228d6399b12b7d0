package io.microstore.api.limits;

import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.HttpException;
import io.helidon.http.Status;

/**
 * A request body that does not fit in {@code server.max-in-flight-bytes} now: other bodies being read or
 * handled hold the budget. A 503 with Retry-After, since the room comes back as they finish. Ours, in
 * Helidon's family: Helidon has no exception for 503, and this one carries Retry-After.
 */
public final class TooManyBytesInFlight extends HttpException {
    public TooManyBytesInFlight(long budget) {
        super(
                "the server is handling too many request bodies at once (server.max-in-flight-bytes = " + budget
                        + "); retry shortly",
                Status.SERVICE_UNAVAILABLE_503);
        header(HeaderValues.create(HeaderNames.RETRY_AFTER, 1));
    }
}
