package io.microstore.api;

import java.time.InstantSource;

import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.microstore.api.wire.HttpDate;

/**
 * Every routed response's {@code Date} header, as an IMF-fixdate ({@link HttpDate}): Helidon writes its own
 * only when a response has none, and writes the day 1 to 9 in one digit. Set just before the response is
 * sent, so that a long-poll's answer carries the time it was answered, and after anything that cleared the
 * headers (an error handler). The time is the store's clock, the one {@code Expires} and {@code Expires-In}
 * are computed on, so that a client comparing {@code Date} with {@code Expires} compares times of one clock.
 */
public final class DateHeader implements Filter {
    private final InstantSource clock;

    public DateHeader(InstantSource clock) {
        this.clock = clock;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        res.beforeSend(() -> res.header(HttpDate.dateHeader(clock.millis())));
        chain.proceed();
    }
}
