package io.microstore.api;

import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Method;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** Sending bodies the same way everywhere, including HEAD (headers of the GET, no body). */
final class Responses {
    static final Header JSON = HeaderValues.create(HeaderNames.CONTENT_TYPE, "application/json");

    private Responses() {
    }

    /** Sends {@code body} as JSON, or for HEAD only its Content-Length. */
    static void json(ServerRequest req, ServerResponse res, byte[] body) {
        res.header(JSON);
        send(req, res, body);
    }

    static void send(ServerRequest req, ServerResponse res, byte[] body) {
        if (req.prologue().method() == Method.HEAD) {
            res.header(HeaderValues.create(HeaderNames.CONTENT_LENGTH, body.length));
            res.send();
        } else {
            res.send(body);
        }
    }

    static Header etag(String etag) {
        return HeaderValues.create(HeaderNames.ETAG, etag);
    }
}
