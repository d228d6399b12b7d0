package io.microstore.etcd.gateway;

import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * How a client reaches a secured etcd: the TLS context for {@code https://} endpoints (the CA it trusts,
 * and the client certificate etcd's {@code --client-cert-auth} asks for), and the etcd user it
 * authenticates as. Empty parts change nothing: a plain endpoint and no user is the client of before.
 *
 * <p>A client certificate used through the JSON gateway must have no Common Name: etcd 3.4 refuses a
 * gateway request whose certificate has one (HTTP 400, "CommonName of client sending a request against
 * gateway will be ignored"), because the gateway cannot pass it on as the user. The user comes from
 * {@code user} and its password instead.
 */
public record EtcdAccess(Optional<SSLContext> tls, Optional<String> user, String password) {
    /** No TLS context of our own (the JDK's default trust for https), no user. */
    public static final EtcdAccess NONE = new EtcdAccess(Optional.empty(), Optional.empty(), "");

    public EtcdAccess {
        if (user.isPresent() && password.isEmpty()) {
            throw new IllegalArgumentException("etcd user " + user.get() + " needs a password");
        }
    }

    @Override
    public String toString() { // never the password
        return "EtcdAccess[tls=" + tls.isPresent() + ", user=" + user.orElse("-") + "]";
    }
}
