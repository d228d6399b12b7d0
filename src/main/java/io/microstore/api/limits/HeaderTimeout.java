package io.microstore.api.limits;

import java.time.Duration;

import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1ConnectionListener;

/**
 * {@code server.header-timeout}: once a request line has arrived, its headers must be complete within
 * this time, else the connection is closed (a slowloris client that never ends its headers would
 * otherwise hold its connection forever). Helidon calls both methods on the connection's own thread.
 */
public final class HeaderTimeout implements Http1ConnectionListener {
    private final Duration timeout;

    public HeaderTimeout(Duration timeout) {
        this.timeout = timeout;
    }

    @Override
    public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
        Deadline.arm(timeout);
    }

    @Override
    public void headers(ConnectionContext ctx, Headers headers) {
        Deadline.disarmCurrent();
    }
}
