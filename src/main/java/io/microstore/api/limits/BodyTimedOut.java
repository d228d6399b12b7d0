package io.microstore.api.limits;

import io.helidon.http.HttpException;
import io.helidon.http.Status;

/**
 * A request body that did not arrive within {@code server.body-timeout} (408); the connection is already
 * closed, so the answer is only for the logs and metrics. Ours, in Helidon's family: Helidon has no
 * exception for 408.
 */
public final class BodyTimedOut extends HttpException {
    public BodyTimedOut() {
        super("the request body did not arrive within server.body-timeout", Status.REQUEST_TIMEOUT_408);
    }
}
