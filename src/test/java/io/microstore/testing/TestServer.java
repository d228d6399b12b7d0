package io.microstore.testing;

import java.util.HashMap;
import java.util.Map;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.microstore.Main;
import io.microstore.Settings;
import io.microstore.store.Store;

/**
 * The one server set-up of the tests ({@link #config}, {@link #setup}), and a server wired by it on a
 * free loopback port ({@link #start}) for tests that need a second server or one per test (a
 * {@code @ServerTest} class has one: {@link ServerTestBase}). Stopping a server leaves its store open.
 */
public final class TestServer implements AutoCloseable {
    private final WebServer server;

    private TestServer(WebServer server) {
        this.server = server;
    }

    /**
     * The test config: {@code server.host=127.0.0.1}, {@code server.port=0}, the access log off and the
     * key, value pairs given, over the packaged application.yaml (so the same server features as in
     * production).
     */
    public static Config config(String... settings) {
        Map<String, String> map = new HashMap<>(Map.of("server.host", "127.0.0.1", "server.port", "0",
                "server.features.access-log.enabled", "false"));
        for (int i = 0; i < settings.length; i += 2) {
            map.put(settings[i], settings[i + 1]);
        }
        return Config.just(ConfigSources.create(map), ConfigSources.classpath("application.yaml"));
    }

    /** Wires {@code server} by {@link Main#setup} over {@code store}, with {@link #config}{@code (settings)}. */
    public static void setup(WebServerConfig.Builder server, Store store, String... settings) {
        Main.setup(server, Settings.from(config(settings)), store);
    }

    /** A started server over {@code store}; {@code settings} are key, value pairs as for {@link #config}. */
    public static TestServer start(Store store, String... settings) {
        return new TestServer(WebServer.builder().update(b -> setup(b, store, settings)).build().start());
    }

    public int port() {
        return server.port();
    }

    public TestClient http() {
        return new TestClient(server.port());
    }

    @Override
    public void close() {
        server.stop();
    }
}
