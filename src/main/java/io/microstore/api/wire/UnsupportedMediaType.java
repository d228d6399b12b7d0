package io.microstore.api.wire;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderValues;
import io.helidon.http.HttpException;
import io.helidon.http.Status;

/**
 * A body in a media type this route does not take (415). {@code advertise} names the header that lists the
 * accepted types (Accept-Patch for PATCH, Accept otherwise), {@code accepted} is its value. Ours, in
 * Helidon's family: Helidon has no exception for 415, and this one carries that header.
 */
public final class UnsupportedMediaType extends HttpException {
    public UnsupportedMediaType(String contentType, HeaderName advertise, String accepted) {
        super(
                "content type '" + contentType + "' is not supported here; send " + accepted,
                Status.UNSUPPORTED_MEDIA_TYPE_415);
        header(HeaderValues.create(advertise, accepted));
    }
}
