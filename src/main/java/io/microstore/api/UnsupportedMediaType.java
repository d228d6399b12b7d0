package io.microstore.api;

import io.helidon.http.HeaderName;

/**
 * A body in a media type this route does not take. {@code advertise} names the header that lists the
 * accepted types (Accept-Patch for PATCH, Accept otherwise), {@code accepted} is its value.
 */
public final class UnsupportedMediaType extends RuntimeException {
    private final transient HeaderName advertise;
    private final String accepted;

    public UnsupportedMediaType(String contentType, HeaderName advertise, String accepted) {
        super("content type '" + contentType + "' is not supported here; send " + accepted);
        this.advertise = advertise;
        this.accepted = accepted;
    }

    public HeaderName advertise() {
        return advertise;
    }

    public String accepted() {
        return accepted;
    }
}
