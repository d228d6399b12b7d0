package io.microstore.api.access;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.Optional;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;

/**
 * Which address a request comes from, for the failed-authentication limit and the audit log: the peer
 * of its connection, or, when that peer is one of {@code security.trusted-proxies} (a load balancer),
 * the address that proxy says it forwards for. Only a trusted proxy's {@code X-Forwarded-For} is read:
 * anyone else could write any address there and so escape the limit, or blame another client.
 */
public final class ClientAddress {
    private static final HeaderName FORWARDED_FOR = HeaderNames.create("X-Forwarded-For");

    private final List<AddressRange> trustedProxies;

    public ClientAddress(List<AddressRange> trustedProxies) {
        this.trustedProxies = List.copyOf(trustedProxies);
    }

    /**
     * The client's address; empty only when the connection has no IP peer (not over TCP). Behind trusted
     * proxies the {@code X-Forwarded-For} list is read from its end, as each proxy appends the peer it
     * saw: the first entry from the right that is not itself a trusted proxy is the client. An entry that
     * is not an IP literal stops the walk at the proxy that wrote it (the proxy is then the client: it
     * vouches for nothing further).
     */
    public Optional<InetAddress> of(ServerRequest req) {
        SocketAddress peer = req.remotePeer().address();
        if (!(peer instanceof InetSocketAddress socket) || socket.getAddress() == null) {
            return Optional.empty();
        }
        InetAddress client = socket.getAddress();
        if (trustedProxies.isEmpty() || !trusted(client)) {
            return Optional.of(client);
        }
        List<String> headers = req.headers().all(FORWARDED_FOR, List::of);
        for (int h = headers.size() - 1; h >= 0; h--) {
            String[] hops = headers.get(h).split(",");
            for (int i = hops.length - 1; i >= 0; i--) {
                InetAddress hop = AddressRange.literal(hops[i].trim());
                if (hop == null) {
                    return Optional.of(client);
                }
                client = hop;
                if (!trusted(hop)) {
                    return Optional.of(client);
                }
            }
        }
        return Optional.of(client);
    }

    private boolean trusted(InetAddress address) {
        for (AddressRange range : trustedProxies) {
            if (range.contains(address)) {
                return true;
            }
        }
        return false;
    }
}
