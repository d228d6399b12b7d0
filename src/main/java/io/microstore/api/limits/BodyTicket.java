package io.microstore.api.limits;

import java.io.InputStream;
import java.time.Duration;

import io.helidon.common.buffers.DataReader;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;

/**
 * One request body's share of {@link InFlightBytes}, its limits and its stream, kept in the request's
 * context by {@link BodyGuard} for {@link BodyReader#read} and released by BodyGuard when the handler is done.
 * The body timeout runs only while the body is being read, not while a handler works (a slow store is no
 * slow client).
 */
final class BodyTicket {
    private final InFlightBytes budget;
    private final long maxPayload;
    private final Duration timeout;
    private final DataReader raw;
    private InputStream stream;
    private Deadline reading;
    private long held;

    /** {@code raw}: the bytes of the request's connection ({@link ConnectionBytes}), null when unknown. */
    BodyTicket(InFlightBytes budget, long maxPayload, Duration timeout, DataReader raw) {
        this.budget = budget;
        this.maxPayload = maxPayload;
        this.timeout = timeout;
        this.raw = raw;
    }

    /**
     * The body, the same stream for the handler and for BodyGuard's discarding of what it left: a chunked
     * body decoded strictly ({@link ChunkedBody}), else Helidon's stream. With a Content-Encoding Helidon
     * would decode, its own stream (none is enabled: such a request gets 400 before routing).
     */
    InputStream stream(ServerRequest req) {
        if (stream == null) {
            InputStream helidon = req.content().inputStream();
            boolean chunked = req.headers().contains(HeaderNames.TRANSFER_ENCODING);
            stream = chunked && raw != null && !req.headers().contains(HeaderNames.CONTENT_ENCODING)
                    ? new ChunkedBody(raw, helidon)
                    : helidon;
        }
        return stream;
    }

    /** Whether {@link #stream} was asked for. */
    boolean streamOpened() {
        return stream != null;
    }

    /** Starts the body timeout: the body must be read by then, or the connection is closed. */
    void startReading() {
        reading = Deadline.arm(timeout);
    }

    /** Stops it; if it had fired, clears the interrupt it left (the socket is closed already). */
    void doneReading() {
        if (reading != null && reading.disarm()) {
            Thread.interrupted();
        }
    }

    long maxPayload() {
        return maxPayload;
    }

    /** Charges {@code bytes} more of body (times the cost factor), or throws TooManyBytesInFlight. */
    void take(long bytes) {
        long cost = bytes * InFlightBytes.COST_FACTOR;
        if (!budget.take(this, cost)) {
            throw new TooManyBytesInFlight(budget.budget());
        }
        held += cost;
    }

    boolean timedOut() {
        return reading != null && reading.fired();
    }

    void release() {
        budget.release(this, held);
        held = 0;
    }
}
