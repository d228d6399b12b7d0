package io.microstore;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLContext;

import io.helidon.common.tls.Tls;
import io.helidon.config.Config;
import io.microstore.etcd.gateway.EtcdAccess;

/**
 * The TLS settings, both in Helidon's own {@code tls} shape: {@code server.tls} (Helidon's server reads
 * it itself; checked here, and read again on SIGHUP) and {@code store.etcd.tls} with {@code
 * store.etcd.user} and {@code store.etcd.password-file} (the etcd client's). Neither has a default: unset
 * means plain HTTP and no etcd user, as before.
 */
final class TlsSettings {
    /**
     * The only protocol versions a {@code protocols} list may name. The JDK already disables TLS 1.0 and
     * 1.1 ({@code jdk.tls.disabledAlgorithms} in java.security), so by default a handshake is TLS 1.3 or
     * 1.2; naming an older version here would be a wish the JDK ignores, or, on a JDK whose java.security
     * was loosened, a downgrade to protocols with known weaknesses (RFC 8996 deprecates them).
     */
    static final Set<String> PROTOCOLS = Set.of("TLSv1.3", "TLSv1.2");

    private TlsSettings() {}

    /** True when {@code server.tls} is configured and not disabled: the port speaks only TLS. */
    static boolean serverTls(Config config) {
        Config tls = config.get("server.tls");
        return tls.exists() && tls.get("enabled").asBoolean().orElse(true);
    }

    /** Checks {@code server.tls} when it is set; throws with the key's name when it is not usable. */
    static void checkServer(Config config) {
        if (serverTls(config)) {
            tls(config.get("server.tls"), "server.tls");
        }
    }

    /** {@code server.tls} read again (SIGHUP): the new certificate and trust, or an exception saying why not. */
    static Tls reloadServer(Config config) {
        if (!serverTls(config)) {
            throw new IllegalStateException("server.tls is no longer set: the certificate stays as it was");
        }
        return tls(config.get("server.tls"), "server.tls");
    }

    /**
     * {@code store.etcd.tls}, {@code store.etcd.user} and {@code store.etcd.password-file}. A TLS setting
     * with an {@code http://} endpoint is refused rather than ignored: it would send in clear what the
     * operator meant to protect; so is a user without a password file.
     */
    static EtcdAccess etcd(Config config, List<URI> endpoints) {
        Config node = config.get("store.etcd.tls");
        Optional<SSLContext> context = Optional.empty();
        if (node.exists() && node.get("enabled").asBoolean().orElse(true)) {
            for (URI endpoint : endpoints) {
                if (!"https".equals(endpoint.getScheme())) {
                    throw new IllegalArgumentException("store.etcd.tls is set but the etcd endpoint " + endpoint
                            + " is not https://: use https:// endpoints, or remove store.etcd.tls");
                }
            }
            context = Optional.of(tls(node, "store.etcd.tls").sslContext());
        }
        Optional<String> user = config.get("store.etcd.user")
                .asString()
                .asOptional()
                .map(String::trim)
                .filter(u -> !u.isEmpty());
        String password = "";
        if (user.isPresent()) {
            String file = config.get("store.etcd.password-file")
                    .asString()
                    .asOptional()
                    .map(String::trim)
                    .orElse("");
            if (file.isEmpty()) {
                throw new IllegalArgumentException(
                        "store.etcd.user is set: store.etcd.password-file must name the file holding its password");
            }
            password = password(Path.of(file));
        }
        return new EtcdAccess(context, user, password);
    }

    /** The file's content without its line end (a password may hold spaces, not line breaks). */
    private static String password(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("store.etcd.password-file " + file + " cannot be read: " + e);
        }
        text = text.replaceAll("[\r\n]+$", "");
        if (text.isEmpty() || text.contains("\n")) {
            throw new IllegalArgumentException(
                    "store.etcd.password-file " + file + " must hold the password on one line");
        }
        return text;
    }

    private static Tls tls(Config node, String key) {
        List<String> protocols = node.get("protocols").asList(String.class).orElse(List.of());
        for (String protocol : protocols) {
            if (!PROTOCOLS.contains(protocol)) {
                throw new IllegalArgumentException(key + ".protocols may name " + PROTOCOLS + ", not " + protocol
                        + " (TLS 1.0 and 1.1 are deprecated, RFC 8996)");
            }
        }
        try {
            return Tls.create(node);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(key + " is not usable: " + e.getMessage(), e);
        }
    }
}
