package io.microstore.api.http10;

import java.util.Set;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.Bytes;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http1.Http1ConnectionSelector;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.spi.ServerConnectionSelector;

/**
 * The server's one HTTP/1 connection selector, in place of Helidon's: every connection is Helidon's own
 * HTTP/1 connection, built from {@code config} (its limits and listeners), over an {@link Http1Context},
 * which passes an HTTP/1.1 connection's bytes through untouched and makes an HTTP/1.0 one readable to
 * both sides.
 *
 * <p>Why in place of Helidon's selector rather than beside it: with two selectors Helidon reads from a
 * connection before it has one, so a connection that sends nothing escapes the idle-connection timeout,
 * and a request line neither selector knows gets no 400 but a silent close. With one, Helidon hands it
 * every connection at once, as it does its own, and the version is found on the connection's first read.
 * It offers no protocol upgrades, as Helidon's would from the class path: microstore has none (no HTTP/2,
 * no WebSocket).
 */
public final class Http1Selector implements ServerConnectionSelector {
    private static final String HTTP_1_1 = " HTTP/1.1\r";
    private static final String HTTP_1_0 = " HTTP/1.0\r";

    private final Http1ConnectionSelector http1;
    private final Http1Config config;

    public Http1Selector(Http1Config config) {
        this.http1 = Http1ConnectionSelector.builder().config(config).build();
        this.config = config;
    }

    @Override
    public int bytesToIdentifyConnection() {
        return 0;
    }

    /** Helidon's rule, 1.0 added; asked only if the server had other selectors. */
    @Override
    public Support supports(BufferData request) {
        int lf = request.indexOf(Bytes.LF_BYTE);
        if (lf == -1) {
            return request.available() <= config.maxPrologueLength() ? Support.SUPPORTED : Support.UNSUPPORTED;
        }
        String line = request.readString(lf);
        return line.endsWith(HTTP_1_1) || line.endsWith(HTTP_1_0) ? Support.SUPPORTED : Support.UNSUPPORTED;
    }

    @Override
    public Set<String> supportedApplicationProtocols() {
        return Set.of("http/1.1");
    }

    @Override
    public ServerConnection connection(ConnectionContext ctx) {
        return http1.connection(new Http1Context(ctx, config.maxPrologueLength(), config.maxHeadersSize()));
    }
}
