package io.microstore;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.microstore.testing.Pki;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** server.tls and store.etcd.tls/user/password-file as Settings reads them, with certificates openssl makes. */
class TlsSettingsTest {
    @TempDir
    static Path dir;

    private static Settings settings(Map<String, String> map) {
        return Settings.from(Config.just(ConfigSources.create(map), ConfigSources.classpath("application.yaml")));
    }

    private static Map<String, String> pem(String key, Pki pki) {
        Map<String, String> map = new HashMap<>();
        map.put(key + ".private-key.pem.key.resource.path", pki.key("server").toString());
        map.put(
                key + ".private-key.pem.cert-chain.resource.path",
                pki.cert("server").toString());
        map.put(key + ".trust.pem.certificates.resource.path", pki.caPem().toString());
        return map;
    }

    private static Pki pki;

    private static synchronized Pki pki() throws Exception {
        if (pki == null) {
            pki = Pki.ca(dir, "ca");
            pki.issue("server", "/CN=microstore", 2);
        }
        return pki;
    }

    @Test
    void nothingSetIsPlainHttpAndNoEtcdUser() {
        Settings settings = Settings.defaults();
        assertFalse(settings.serverTls());
        assertTrue(settings.etcdAccess().tls().isEmpty());
        assertTrue(settings.etcdAccess().user().isEmpty());
    }

    @Test
    void serverTlsIsReadAndTls11IsRefused() throws Exception {
        Map<String, String> map = pem("server.tls", pki());
        assertTrue(settings(map).serverTls());
        map.put("server.tls.protocols.0", "TLSv1.1");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> settings(map));
        assertTrue(e.getMessage().contains("server.tls.protocols"), e.getMessage());
    }

    @Test
    void etcdTlsWithAnHttpEndpointIsRefused() throws Exception {
        Map<String, String> map = pem("store.etcd.tls", pki());
        map.put("store.etcd.endpoints", "https://127.0.0.1:1,http://127.0.0.1:2");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> settings(map));
        assertTrue(e.getMessage().contains("http://127.0.0.1:2"), e.getMessage());
        map.put("store.etcd.endpoints", "https://127.0.0.1:1,https://127.0.0.1:2");
        assertTrue(settings(map).etcdAccess().tls().isPresent());
    }

    @Test
    void anEtcdUserNeedsItsPasswordFile() throws Exception {
        Map<String, String> map = new HashMap<>(Map.of("store.etcd.endpoints", "http://127.0.0.1:1"));
        map.put("store.etcd.user", "microstore");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> settings(map));
        assertTrue(e.getMessage().contains("store.etcd.password-file"), e.getMessage());
        Path file = dir.resolve("password");
        Files.writeString(file, "s3cret with space\n");
        map.put("store.etcd.password-file", file.toString());
        Settings settings = settings(map);
        assertEquals("microstore", settings.etcdAccess().user().orElseThrow());
        assertEquals("s3cret with space", settings.etcdAccess().password());
        assertFalse(settings.etcdAccess().toString().contains("s3cret"), "the password is never printed");
    }
}
