package io.microstore.api;

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

    /** A catch-all route handler for a path whose real routes take only the methods in {@code allow}. */
    static Handler handler(String allow) {
        return (req, res) -> {
            throw new MethodNotAllowed(req.prologue().method().text(), allow);
        };
    }
}
