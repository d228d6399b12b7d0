package io.microstore.api.limits;

import io.helidon.http.HttpException;
import io.helidon.http.Status;

/**
 * A request body over {@code server.max-payload-size} (413), by its Content-Length or as a chunked body is
 * read. Ours, in Helidon's family: Helidon has no exception for 413, and two places refuse with this message.
 */
public final class PayloadTooLarge extends HttpException {
    public PayloadTooLarge(long limit) {
        super(
                "the request body is larger than server.max-payload-size (" + limit + " bytes)",
                Status.REQUEST_ENTITY_TOO_LARGE_413);
    }
}
