package io.microstore.api;

import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.HttpException;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;

/**
 * A known route asked with a method it does not have (405), with the {@code Allow} header listing the ones
 * it has. Ours, in Helidon's family: Helidon has no exception for 405, and this one carries its header.
 */
public final class MethodNotAllowed extends HttpException {
    public MethodNotAllowed(String method, String allow) {
        super("method " + method + " is not allowed here; use " + allow, Status.METHOD_NOT_ALLOWED_405);
        header(HeaderValues.create(HeaderNames.ALLOW, allow));
    }

    /**
     * A catch-all route handler for a path whose real routes take only the methods in {@code allow}.
     * OPTIONS gets 204 with {@code Allow}, which is also the answer to a CORS preflight (the CORS
     * filter, when configured, has added its headers by then).
     */
    static Handler handler(String allow) {
        return (req, res) -> {
            if (req.prologue().method() == Method.OPTIONS) {
                res.header(HeaderValues.create(HeaderNames.ALLOW, "OPTIONS, " + allow));
                res.status(Status.NO_CONTENT_204).send();
                return;
            }
            throw new MethodNotAllowed(req.prologue().method().text(), allow);
        };
    }
}
