package io.microstore.api.limits;

import io.helidon.http.BadRequestException;
import io.helidon.http.HeaderValues;

/**
 * A chunked request body that breaks RFC 9112's framing (section 7.1). A 400 that also closes the
 * connection ({@link ConnectionClose} acts on its header): where the body ends, and so where a next
 * request would start, is no longer known. Ours for that header and for {@link ChunkedBody} to keep.
 */
public final class MalformedChunks extends BadRequestException {
    public MalformedChunks(String message) {
        super("the chunked request body is malformed: " + message);
        header(HeaderValues.CONNECTION_CLOSE);
    }
}
