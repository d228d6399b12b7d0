package io.microstore.api;

import java.util.Locale;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;

/** Request bodies: which media type they claim, and their bytes. */
final class Bodies {
    private static final byte[] EMPTY = new byte[0];

    private Bodies() {
    }

    /**
     * The media type of the body without parameters, lower case, or {@code application/json} when the
     * client sent no Content-Type (curl -T, fetch without headers). A charset other than UTF-8 is
     * refused: JSON is UTF-8 (RFC 8259).
     */
    static String mediaType(ServerRequest req) {
        String header = req.headers().first(HeaderNames.CONTENT_TYPE).orElse("application/json");
        String[] parts = header.split(";");
        String type = parts[0].trim().toLowerCase(Locale.ROOT);
        for (int i = 1; i < parts.length; i++) {
            String[] param = parts[i].split("=", 2);
            if (param[0].trim().equalsIgnoreCase("charset") && param.length == 2
                    && !param[1].trim().replace("\"", "").equalsIgnoreCase("utf-8")) {
                throw new UnsupportedMediaType(header, HeaderNames.ACCEPT, "application/json");
            }
        }
        return type;
    }

    /** Refuses a body that is not JSON ({@code application/json} or any {@code application/*+json}). */
    static void requireJson(ServerRequest req) {
        String type = mediaType(req);
        if (!type.equals("application/json") && !(type.startsWith("application/") && type.endsWith("+json"))) {
            throw new UnsupportedMediaType(type, HeaderNames.ACCEPT, "application/json");
        }
    }

    /** The whole body; the server has already refused one over {@code server.max-payload-size}. */
    static byte[] read(ServerRequest req) {
        return req.content().hasEntity() ? req.content().as(byte[].class) : EMPTY;
    }
}
