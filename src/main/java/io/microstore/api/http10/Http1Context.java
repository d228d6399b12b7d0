package io.microstore.api.http10;

import java.util.Optional;
import java.util.concurrent.ExecutorService;

import io.helidon.common.buffers.DataReader;
import io.helidon.common.buffers.DataWriter;
import io.helidon.common.socket.HelidonSocket;
import io.helidon.common.socket.PeerInfo;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.ListenerContext;
import io.helidon.webserver.ProxyProtocolData;
import io.helidon.webserver.Router;

/**
 * A connection as Helidon's HTTP/1.1 connection sees it: the connection itself but for its bytes, read
 * through {@link Http10Request} (which finds the version) and written through {@link CloseDelimited}
 * (which changes nothing unless the version is 1.0).
 */
final class Http1Context implements ConnectionContext {
    private final ConnectionContext connection;
    private final DataReader reader;
    private final DataWriter writer;

    Http1Context(ConnectionContext connection, int maxPrologueLength, int maxHeadersSize) {
        this.connection = connection;
        Http10Request request = new Http10Request(connection, host(connection), maxPrologueLength, maxHeadersSize);
        this.reader = DataReader.create(request);
        this.writer = new CloseDelimited(connection.dataWriter(), request);
    }

    /** The Host a 1.0 request without one is given: the address it came to, as Helidon validates it. */
    private static String host(ConnectionContext connection) {
        PeerInfo local = connection.localPeer();
        String host = local.host().contains(":") ? "[" + local.host() + "]" : local.host();
        return host + ":" + local.port();
    }

    @Override
    public DataReader dataReader() {
        return reader;
    }

    @Override
    public DataWriter dataWriter() {
        return writer;
    }

    @Override
    public ListenerContext listenerContext() {
        return connection.listenerContext();
    }

    @Override
    public ExecutorService executor() {
        return connection.executor();
    }

    @Override
    public Router router() {
        return connection.router();
    }

    @Override
    public Optional<ProxyProtocolData> proxyProtocolData() {
        return connection.proxyProtocolData();
    }

    @Override
    public HelidonSocket serverSocket() {
        return connection.serverSocket();
    }

    @Override
    public PeerInfo remotePeer() {
        return connection.remotePeer();
    }

    @Override
    public PeerInfo localPeer() {
        return connection.localPeer();
    }

    @Override
    public boolean isSecure() {
        return connection.isSecure();
    }

    @Override
    public String socketId() {
        return connection.socketId();
    }

    @Override
    public String childSocketId() {
        return connection.childSocketId();
    }
}
