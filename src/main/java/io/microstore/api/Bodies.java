package io.microstore.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.function.Predicate;

import io.helidon.http.Header;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;

/** Request bodies: which media type they claim, and their bytes. */
final class Bodies {
    private static final byte[] EMPTY = new byte[0];
    private static final int CHUNK = 64 * 1024;

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
                throw new BadRequest("the request has " + contentType.valueCount() + " Content-Type headers; send one");
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
     * The whole body. With a {@link BodyTicket} (requests routed through {@link BodyGuard}) it is charged
     * to {@code server.max-in-flight-bytes}: by its Content-Length before reading, or chunk by chunk as a
     * chunked body arrives, which is also where a chunked body over max-payload-size is refused. A
     * malformed chunked encoding is {@link MalformedChunks} ({@link ChunkedBody} decodes it).
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
            OptionalLong length = req.headers().contentLength();
            ticket.startReading();
            try {
                InputStream in = ticket.stream(req); // left open: BodyGuard reads it to its end
                return length.isPresent() ? readLength(in, ticket, length.getAsLong()) : readChunked(in, ticket);
            } finally {
                ticket.doneReading();
            }
        } catch (IllegalArgumentException e) { // Helidon's decoding, where ChunkedBody is not used
            throw new BadRequest("the request body is malformed: " + e.getMessage());
        } catch (IOException | UncheckedIOException e) {
            if (ticket != null && ticket.timedOut()) {
                throw new BodyTimedOut("the request body did not arrive within server.body-timeout");
            }
            throw new BadRequest("the request body could not be read: " + e.getMessage());
        } catch (RuntimeException e) {
            if (ticket != null && ticket.timedOut()) {
                throw new BodyTimedOut("the request body did not arrive within server.body-timeout");
            }
            throw e;
        }
    }

    private static byte[] readLength(InputStream in, BodyTicket ticket, long length) throws IOException {
        ticket.take(length); // BodyGuard refused a length over max-payload-size, which is an int
        byte[] body = new byte[(int) length];
        int read = in.readNBytes(body, 0, body.length);
        if (read != body.length) {
            throw new BadRequest("the request body ended after " + read + " of its " + length + " bytes");
        }
        return body;
    }

    private static byte[] readChunked(InputStream in, BodyTicket ticket) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] buffer = new byte[CHUNK];
        int n;
        while ((n = in.read(buffer)) >= 0) {
            if (body.size() + (long) n > ticket.maxPayload()) {
                throw new PayloadTooLarge(ticket.maxPayload());
            }
            ticket.take(n);
            body.write(buffer, 0, n);
        }
        return body.toByteArray();
    }
}
