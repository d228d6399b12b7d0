package io.microstore.testing;

import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.microstore.store.Store;
import io.microstore.store.feed.FeedConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * The base of the {@code @ServerTest} classes: a class wires the server in its {@code @SetUpServer}
 * method with one {@link #serve} call (saying only what differs: settings, feed or its own store), gets
 * {@link #http} bound to the server before each test and {@link #store} closed after the class.
 * {@link #newStore} is the one place that decides which engine the HTTP tests run against.
 */
@ServerTest
public abstract class ServerTestBase {
    /** The store the server of the running class serves. */
    protected static Store store;

    /** A client of the server of the running class. */
    protected TestClient http;

    /**
     * The store a {@code @ServerTest} class serves unless it brings its own: on the engine
     * {@link Stores#ENGINE} names (in memory on the local engine, or a fresh prefix on the tests' etcd cluster).
     */
    protected static Store newStore(FeedConfig feed) {
        return newStore(feed, Long.MAX_VALUE);
    }

    /** {@link #newStore(FeedConfig)} with a memory quota of {@code maxBytes} ({@code store.max-bytes}). */
    protected static Store newStore(FeedConfig feed, long maxBytes) {
        return Stores.etcdEngine() ? Stores.etcd(feed, maxBytes) : Stores.memory(feed, maxBytes);
    }

    /** Wires {@code server} over a {@link #newStore} with default feed settings. */
    protected static void serve(WebServerConfig.Builder server, String... settings) {
        serve(server, newStore(FeedConfig.DEFAULTS), settings);
    }

    /** Wires {@code server} over {@code served} (closed after the class); settings as for {@link TestServer#config}. */
    protected static void serve(WebServerConfig.Builder server, Store served, String... settings) {
        store = served;
        TestServer.setup(server, served, settings);
    }

    @BeforeEach
    void connect(WebServer server) {
        http = new TestClient(server.port());
    }

    @AfterAll
    static void closeStore() {
        store.close();
    }
}
