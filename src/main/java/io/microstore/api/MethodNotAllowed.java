package io.microstore.api;

import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;

/** A known route asked with a method it does not have; {@code allow} lists the ones it has. */
public final class MethodNotAllowed extends RuntimeException {
    private final String allow;

    public MethodNotAllowed(String method, String allow) {
        super("method " + method + " is not allowed here; use " + allow);
        this.allow = allow;
    }

    public String allow() {
        return allow;
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
