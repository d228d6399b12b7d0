package io.microstore.api.access;

import java.security.Principal;
import java.util.Optional;

import io.helidon.webserver.http.ServerRequest;

/**
 * The seam for mapping a client certificate to a key: with mutual TLS ({@code server.tls.client-auth}
 * {@code required} or {@code optional}), the subject of the certificate the client showed, as an RFC 2253
 * name ({@code CN=service-a,O=team}). Only a certificate whose chain the server's trust verified gets
 * this far: the handshake fails otherwise. Empty over plain HTTP or when the client showed none. The
 * keys' auth filter (not built yet) is meant to look a key id up by it, so that a service with a
 * certificate needs no bearer secret.
 */
public final class ClientCertificate {
    private ClientCertificate() {}

    public static Optional<String> subject(ServerRequest request) {
        return request.isSecure() ? request.remotePeer().tlsPrincipal().map(Principal::getName) : Optional.empty();
    }
}
