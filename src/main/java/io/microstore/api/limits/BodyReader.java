package io.microstore.api.limits;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.OptionalLong;

import io.helidon.common.buffers.DataReader;
import io.helidon.http.BadRequestException;
import io.helidon.webserver.http.ServerRequest;

/**
 * Reads a request body whole, within the flood limits: charged to {@code server.max-in-flight-bytes} as it
 * arrives, refused past {@code server.max-payload-size}, and given up once {@code server.body-timeout} has run.
 */
public final class BodyReader {
    private static final byte[] EMPTY = new byte[0];
    /** The buffer a body starts with, before any of it arrived. */
    private static final int FIRST = 16 * 1024;

    private static final long MAX_ARRAY = Integer.MAX_VALUE - 16;

    private BodyReader() {}

    /**
     * The whole body. With a {@link BodyTicket} (requests routed through {@link BodyGuard}) it is read as
     * it arrives and charged to {@code server.max-in-flight-bytes} piece by piece; a chunked body over
     * max-payload-size is refused as it arrives (one with a larger Content-Length BodyGuard refused).
     */
    public static byte[] read(ServerRequest req) {
        if (!req.content().hasEntity()) {
            return EMPTY;
        }
        BodyTicket ticket = req.context().get(BodyTicket.class).orElse(null);
        try {
            if (ticket == null) {
                return req.content().as(byte[].class);
            }
            ticket.startReading();
            try {
                return readArriving(ticket.stream(req), ticket, req.headers().contentLength());
            } finally {
                ticket.doneReading();
            }
        } catch (IllegalArgumentException e) { // Helidon's decoding, where ChunkedBody is not used
            throw new BadRequestException("the request body is malformed: " + e.getMessage());
        } catch (IOException | UncheckedIOException | DataReader.InsufficientDataAvailableException e) {
            if (ticket != null && ticket.timedOut()) {
                throw new BodyTimedOut();
            }
            throw new BadRequestException("the request body could not be read: " + e.getMessage());
        } catch (RuntimeException e) {
            if (ticket != null && ticket.timedOut()) {
                throw new BodyTimedOut();
            }
            throw e;
        }
    }

    /**
     * Reads {@code in} to its end ({@code declared} bytes when the length is known), charging each piece
     * once it has arrived, in a buffer that grows with what arrived. Charging by Content-Length before the
     * bytes came let a few clients that declare large bodies and send nothing hold the whole budget, so
     * every other body got 503 until their body timeout. The buffer's room not filled yet is
     * at most what arrived (it doubles) or its first {@link #FIRST} bytes, which the cost factor covers.
     */
    private static byte[] readArriving(InputStream in, BodyTicket ticket, OptionalLong declared) throws IOException {
        long max = ticket.maxPayload();
        // BodyGuard refused a Content-Length over max-payload-size; a chunked body may get one byte over it
        long limit = Math.min(declared.orElse(max + 1), MAX_ARRAY);
        byte[] body = new byte[(int) Math.min(limit, FIRST)];
        int size = 0;
        while (size < limit) {
            if (size == body.length) {
                body = Arrays.copyOf(body, (int) Math.min(limit, 2L * size));
            }
            int n = in.read(body, size, body.length - size);
            if (n < 0) {
                break;
            }
            size += n;
            if (size > max) {
                throw new PayloadTooLarge(max);
            }
            ticket.take(n);
        }
        if (declared.isPresent() && size < declared.getAsLong()) {
            throw new BadRequestException(
                    "the request body ended after " + size + " of its " + declared.getAsLong() + " bytes");
        }
        return size == body.length ? body : Arrays.copyOf(body, size);
    }
}
