package io.microstore.api.access;

import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.HttpException;
import io.helidon.http.Status;

/**
 * A request with credentials from an address that failed to authenticate too often of late ({@link
 * FailedAuthLimit}): a 429 with Retry-After, the seconds until it may try again. Ours, in Helidon's family:
 * Helidon has no exception for 429, and this one carries Retry-After.
 */
public final class TooManyFailedAuthentications extends HttpException {
    public TooManyFailedAuthentications(long retryAfterSeconds) {
        super(
                "too many failed authentications from this address; try again in " + retryAfterSeconds + " s",
                Status.TOO_MANY_REQUESTS_429);
        header(HeaderValues.create(HeaderNames.RETRY_AFTER, retryAfterSeconds));
    }
}
