package io.microstore.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.function.Predicate;

import io.helidon.common.buffers.DataReader;
import io.helidon.http.BadRequestException;
import io.helidon.http.Header;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;

/** Request bodies: which media type they claim, and their bytes. */
final class Bodies {
    private static final byte[] EMPTY = new byte[0];
    /** The buffer a body starts with, before any of it arrived. */
    private static final int FIRST = 16 * 1024;
    private static final long MAX_ARRAY = Integer.MAX_VALUE - 16;

    private Bodies() {
    }

    /**
     * The media type of the body without parameters, lower case; {@code application/json} when the
     * client sent no Content-Type (curl -T, fetch without headers). It must pass {@code ok} and any
     * charset must be UTF-8 (JSON is UTF-8, RFC 8259), else 415 with {@code advertise} listing
     * {@code accepted}. More than one Content-Type is a 400.
     */
    static String mediaType(ServerRequest req, HeaderName advertise, String accepted, Predicate<String> ok) {
        String header = "application/json";
        if (req.headers().contains(HeaderNames.CONTENT_TYPE)) {
            Header contentType = req.headers().get(HeaderNames.CONTENT_TYPE);
            if (contentType.valueCount() != 1) {
                throw new BadRequestException("the request has " + contentType.valueCount() + " Content-Type headers; send one");
            }
            header = contentType.get();
        }
        String[] parts = header.split(";", -1);
        String type = parts[0].trim().toLowerCase(Locale.ROOT);
        for (int i = 1; i < parts.length; i++) {
            String[] param = parts[i].split("=", 2);
            if (param[0].trim().equalsIgnoreCase("charset") && param.length == 2
                    && !param[1].trim().replace("\"", "").equalsIgnoreCase("utf-8")) {
                throw new UnsupportedMediaType(header, advertise, accepted);
            }
        }
        if (!ok.test(type)) {
            throw new UnsupportedMediaType(header, advertise, accepted);
        }
        return type;
    }

    /** {@code application/json} or any {@code application/*+json}. */
    static boolean isJson(String type) {
        return type.equals("application/json") || type.startsWith("application/") && type.endsWith("+json");
    }

    /**
     * The whole body. With a {@link BodyTicket} (requests routed through {@link BodyGuard}) it is read as
     * it arrives and charged to {@code server.max-in-flight-bytes} piece by piece; a chunked body over
     * max-payload-size is refused as it arrives (one with a larger Content-Length BodyGuard refused).
     */
    static byte[] read(ServerRequest req) {
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
     * every other body got 503 until their body timeout (issue 28). The buffer's room not filled yet is
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
            throw new BadRequestException("the request body ended after " + size + " of its " + declared.getAsLong() + " bytes");
        }
        return size == body.length ? body : Arrays.copyOf(body, size);
    }
}
