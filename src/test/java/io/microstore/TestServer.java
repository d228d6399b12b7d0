package io.microstore;

import java.util.HashMap;
import java.util.Map;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.webserver.WebServer;
import io.microstore.store.Store;

/**
 * A server wired by {@link Main#setup} on a free loopback port, for tests that need a second server
 * or one per test (a {@code @ServerTest} class has one). Stopping it leaves the store open.
 */
public final class TestServer implements AutoCloseable {
    private final WebServer server;

    private TestServer(WebServer server) {
        this.server = server;
    }

    /** {@code settings} are key, value pairs on top of {@link #config()}'s defaults. */
    public static TestServer start(Store store, String... settings) {
        return start(store, config(settings));
    }

    public static TestServer start(Store store, Config config) {
        return new TestServer(WebServer.builder().update(b -> Main.setup(b, Settings.from(config), store)).build().start());
    }

    /**
     * A config of {@code server.host=127.0.0.1, server.port=0}, the access log off (as packaged; Helidon
     * turns it on when the key is absent) and the key, value pairs given.
     */
    public static Config config(String... settings) {
        Map<String, String> map = new HashMap<>(Map.of("server.host", "127.0.0.1", "server.port", "0",
                "server.features.access-log.enabled", "false"));
        for (int i = 0; i < settings.length; i += 2) {
            map.put(settings[i], settings[i + 1]);
        }
        return Config.just(ConfigSources.create(map));
    }

    public int port() {
        return server.port();
    }

    public TestHttp http() {
        return new TestHttp(server.port());
    }

    @Override
    public void close() {
        server.stop();
    }
}
