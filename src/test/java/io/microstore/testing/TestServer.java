package io.microstore.testing;

import java.util.HashMap;
import java.util.Map;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.webserver.WebServer;
import io.microstore.Main;
import io.microstore.Settings;
import io.microstore.store.Store;

/**
 * The one way the tests get a server in this JVM: wired by {@link Main#setup} over a store, as the jar
 * wires it, on a free loopback port, with the test config ({@link #config}). {@link ServerTestBase}
 * starts its class's server here; a test that needs another one (other settings, another store, a
 * restart) starts it here too. Stopping a server leaves its store open.
 */
public final class TestServer implements AutoCloseable {
    private final WebServer server;

    private TestServer(WebServer server) {
        this.server = server;
    }

    /**
     * The test config: {@code server.host=127.0.0.1}, {@code server.port=0}, the access log off, no
     * failed-authentication limit, and the key, value pairs given, over the packaged application.yaml (so
     * the same server features as in production).
     */
    public static Config config(String... settings) {
        Map<String, String> map = new HashMap<>(Map.of(
                "server.host",
                "127.0.0.1",
                "server.port",
                "0",
                "server.features.access-log.enabled",
                "false",
                // every test client is 127.0.0.1: tests of wrong secrets would run into the failed-authentication
                // limit and get 429s; FailedAuthLimitTest and AuditLogTest set it themselves
                "security.max-failures",
                "0"));
        for (int i = 0; i < settings.length; i += 2) {
            map.put(settings[i], settings[i + 1]);
        }
        return Config.just(ConfigSources.create(map), ConfigSources.classpath("application.yaml"));
    }

    /** A started server over {@code store}; {@code settings} are key, value pairs as for {@link #config}. */
    public static TestServer start(Store store, String... settings) {
        Settings read = Settings.from(config(settings));
        return new TestServer(WebServer.builder()
                .update(b -> Main.setup(b, read, store))
                .build()
                .start());
    }

    /** The port the server listens on, on 127.0.0.1. */
    public int port() {
        return server.port();
    }

    /** A client of this server. */
    public TestClient http() {
        return new TestClient(server.port());
    }

    /** Stops the server (again: nothing). */
    @Override
    public void close() {
        if (server.isRunning()) {
            server.stop();
        }
    }
}
