package io.microstore.api;

import java.util.Locale;
import java.util.function.Predicate;

import io.helidon.http.Header;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;

/** Request bodies: which media type they claim, and their bytes. */
final class Bodies {
    private static final byte[] EMPTY = new byte[0];

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
     * The whole body; the server has already refused one over {@code server.max-payload-size}. A
     * malformed chunked encoding surfaces here as a parse error of Helidon's, which is the client's fault.
     */
    static byte[] read(ServerRequest req) {
        try {
            return req.content().hasEntity() ? req.content().as(byte[].class) : EMPTY;
        } catch (IllegalArgumentException e) { // includes NumberFormatException for a bad chunk size
            throw new BadRequest("the request body is malformed: " + e.getMessage());
        }
    }
}
