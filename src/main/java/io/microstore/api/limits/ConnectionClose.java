package io.microstore.api.limits;

import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Headers;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * Closes the connection once a request is answered when the request or its answer says
 * {@code Connection: close} (RFC 9112, section 9.6). Helidon 4.5.0 writes that header but then reads the
 * next request from the connection all the same (helidon-io/helidon#12324); its own way out of the
 * connection loop is a {@link CloseConnectionException}, which it closes the socket on, quietly.
 */
public final class ConnectionClose implements Filter {
    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        chain.proceed();
        // The answer is written by now: a filter's chain returns once the route has sent it.
        if (says(req.headers()) || says(res.headers())) {
            throw new CloseConnectionException("Connection: close");
        }
    }

    /**
     * Whether {@code headers} hold the token {@code close} in a Connection header. Asked first whether there
     * is one at all: Helidon's token scan collects the header's values into a new list (a stream) even when it
     * is absent, as it is on nearly every request and answer of a kept-alive connection.
     */
    private static boolean says(Headers headers) {
        return headers.contains(HeaderNames.CONNECTION) && headers.containsToken(HeaderValues.CONNECTION_CLOSE);
    }
}
