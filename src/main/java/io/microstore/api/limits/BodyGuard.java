package io.microstore.api.limits;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.OptionalLong;

import io.helidon.http.HeaderValues;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.ErrorHandler;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * The first filter for every request with a body, after {@link ConnectionClose}: refuses one over
 * {@code server.max-payload-size} by its Content-Length, gives it {@code server.body-timeout} to arrive
 * and a {@link BodyTicket} for its share of {@code server.max-in-flight-bytes}, and once the request is
 * answered reads and discards what the handler left unread. That last step is why an early refusal (413,
 * 401, 415, 503, 507) reaches a client that sends its whole body without {@code Expect: 100-continue}:
 * closing with unread bytes makes the kernel reset the connection, which fails the client's write and may
 * destroy the answer it had not read yet (RFC 9112, section 9.6). Helidon's own limit, max-payload-size +
 * server.max-discard-size, bounds what is discarded; a larger body still gets its 413, then the
 * connection is closed, as it is when the rest cannot be read (a malformed chunk, a client gone).
 *
 * <p>Its 413 is answered through the routing's error handler, given to it, as every refusal is: this
 * room knows the HTTP server, not the services or their problem mapper.
 */
public final class BodyGuard implements Filter {
    private static final System.Logger LOG = System.getLogger(BodyGuard.class.getName());

    private final InFlightBytes budget;
    private final long maxPayload;
    private final Duration bodyTimeout;
    private final ErrorHandler<RuntimeException> refuse;

    /** {@code refuse} answers a refused request (the routing's error handler). */
    public BodyGuard(
            InFlightBytes budget, long maxPayload, Duration bodyTimeout, ErrorHandler<RuntimeException> refuse) {
        this.budget = budget;
        this.maxPayload = maxPayload;
        this.bodyTimeout = bodyTimeout;
        this.refuse = refuse;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        if (!req.content().hasEntity()) {
            chain.proceed();
            return;
        }
        boolean expectContinue = req.headers().contains(HeaderValues.EXPECT_100);
        BodyTicket ticket = new BodyTicket(budget, maxPayload, bodyTimeout, ConnectionBytes.of(req));
        req.context().register(ticket);
        try {
            OptionalLong length = req.headers().contentLength();
            if (length.isPresent() && length.getAsLong() > maxPayload) {
                PayloadTooLarge tooLarge = new PayloadTooLarge(maxPayload);
                if (expectContinue) {
                    tooLarge.header(HeaderValues.CONNECTION_CLOSE);
                }
                refuse.handle(req, res, tooLarge);
            } else {
                chain.proceed();
            }
        } finally {
            try {
                if (!ticket.timedOut()) { // else the socket is closed already
                    discardRest(req, ticket, expectContinue);
                }
            } finally {
                ticket.doneReading();
                ticket.release();
            }
        }
    }

    private static void discardRest(RoutingRequest req, BodyTicket ticket, boolean expectContinue) {
        if (!ticket.streamOpened() && req.content().consumed()) {
            return;
        }
        if (expectContinue && !req.continueSent()) {
            // The client sends no body unless told to; should it send one late, the connection's next bytes
            // are neither surely a body nor surely a request (RFC 9110, section 10.1.1): close.
            throw new CloseConnectionException("answered without reading a body the client was to send on 100");
        }
        ticket.startReading();
        long left = req.listenerContext().config().maxPayloadSize(); // max-payload-size + max-discard-size
        try {
            InputStream in = ticket.stream(req);
            // Most often the handler read the body whole, and only its end is left to read: the buffer to
            // discard into (8 KiB, a third of what a PUT allocated) is made only when there is more.
            if (in.read() >= 0) {
                left--;
                byte[] sink = new byte[8192];
                for (int n = 0; n >= 0 && left >= 0; n = in.read(sink)) {
                    left -= n;
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "could not discard the rest of a request body", e);
            left = -1;
        }
        if (left < 0) { // over the limit, a malformed chunk, a client gone: where a next request starts is unknown
            throw new CloseConnectionException("the rest of the request body could not be discarded");
        }
    }
}
