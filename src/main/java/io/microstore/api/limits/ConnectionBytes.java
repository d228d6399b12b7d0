package io.microstore.api.limits;

import io.helidon.common.buffers.DataReader;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http1.Http1ConnectionListener;

/**
 * Gives {@link BodyGuard} the bytes of the connection a request came on, which Helidon's request API does
 * not: Helidon hands a chunked body over already decoded, leniently, and {@link ChunkedBody} decodes it
 * strictly instead. A receive listener: Helidon calls it with each request's prologue on the
 * connection's own thread, which then routes that request.
 */
public final class ConnectionBytes implements Http1ConnectionListener {
    private static final ThreadLocal<Seen> SEEN = new ThreadLocal<>();

    @Override
    public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
        SEEN.set(new Seen(prologue, ctx.dataReader()));
    }

    /**
     * The reader of {@code req}'s connection, or null unless {@code req} is the request this thread's
     * connection read last (the prologue is the same object), so a reader is never another request's.
     */
    static DataReader of(ServerRequest req) {
        Seen seen = SEEN.get();
        return seen != null && seen.prologue() == req.prologue() ? seen.reader() : null;
    }

    private record Seen(HttpPrologue prologue, DataReader reader) {}
}
