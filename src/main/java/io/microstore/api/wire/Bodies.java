package io.microstore.api.wire;

import java.util.Locale;
import java.util.function.Predicate;

import io.helidon.http.BadRequestException;
import io.helidon.http.Header;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.microstore.api.limits.BodyReader;

/** Request bodies: which media type they claim, and their bytes. */
public final class Bodies {
    private Bodies() {}

    /**
     * The media type of the body without parameters, lower case; {@code application/json} when the
     * client sent no Content-Type (curl -T, fetch without headers). It must pass {@code ok} and any
     * charset must be UTF-8 (JSON is UTF-8, RFC 8259), else 415 with {@code advertise} listing
     * {@code accepted}. More than one Content-Type is a 400.
     */
    public static String mediaType(ServerRequest req, HeaderName advertise, String accepted, Predicate<String> ok) {
        String header = "application/json";
        if (req.headers().contains(HeaderNames.CONTENT_TYPE)) {
            Header contentType = req.headers().get(HeaderNames.CONTENT_TYPE);
            if (contentType.valueCount() != 1) {
                throw new BadRequestException(
                        "the request has " + contentType.valueCount() + " Content-Type headers; send one");
            }
            header = contentType.get();
        }
        String[] parts = header.split(";", -1);
        String type = parts[0].trim().toLowerCase(Locale.ROOT);
        for (int i = 1; i < parts.length; i++) {
            String[] param = parts[i].split("=", 2);
            if (param[0].trim().equalsIgnoreCase("charset")
                    && param.length == 2
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
    public static boolean isJson(String type) {
        return type.equals("application/json") || type.startsWith("application/") && type.endsWith("+json");
    }

    /** The whole body, read within the flood limits ({@link BodyReader}). */
    public static byte[] read(ServerRequest req) {
        return BodyReader.read(req);
    }
}
