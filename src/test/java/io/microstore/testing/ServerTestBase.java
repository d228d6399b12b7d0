package io.microstore.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.microstore.store.Store;
import io.microstore.store.feed.FeedConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;

/**
 * The one base of the HTTP test classes. Each class gets one server ({@link TestServer}: wired as the
 * jar wires it, not by Helidon's {@code @ServerTest} extension, whose server answers CORS preflights and
 * OPTIONS unlike the jar's) over one store, started before its first test and stopped with the store
 * after its last; {@link #store} and a client of the server, {@link #http}, are there in every test. A class says
 * only what differs, by overriding {@link #openStore} (another feed, a quota, a clock, a journal) or
 * {@link #settings}; a test that needs a server with other settings over the same store starts one with
 * {@link #startServer}.
 *
 * <p>Before each test the store is reset ({@link #resetStore}): no app is left and no client of an
 * earlier test still waits on the feed, so tests do not depend on each other or on their order, and a
 * test can wait for the exact number of clients it starts ({@link #awaitWaiting}).
 *
 * <p>The class has one instance for all its tests ({@code PER_CLASS}), so that the store's overrides can
 * keep what they made (a clock, an engine) in fields: a field a test changes is reset in a
 * {@code @BeforeEach} of its own. {@link #newStore} is the one place that decides which engine the HTTP
 * tests run on.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ServerTestBase {
    /**
     * The feed of a class's store unless it brings its own: the defaults but for a short SSE keep-alive, so
     * that a stream a test has closed is noticed (the keep-alive fails to write) and leaves the feed before
     * the next test.
     */
    protected static final FeedConfig FEED = new FeedConfig(
            Stores.FEED.retain(), Stores.FEED.retainBytes(), Stores.FEED.maxSubscribers(), Duration.ofMillis(500));

    /** The store the class's server serves. */
    protected Store store;
    /** The class's server. */
    protected TestServer server;
    /** A client of the class's server. */
    protected TestClient http;

    private final List<TestServer> others = new ArrayList<>();

    /**
     * A store on the engine {@link Stores#ENGINE} names: in memory on the local engine, or under a fresh
     * prefix of the tests' etcd cluster.
     */
    protected static Store newStore(FeedConfig feed) {
        return newStore(feed, Long.MAX_VALUE);
    }

    /** {@link #newStore(FeedConfig)} with a memory quota of {@code maxBytes} ({@code store.max-bytes}). */
    protected static Store newStore(FeedConfig feed, long maxBytes) {
        return Stores.etcdEngine() ? Stores.etcd(feed, maxBytes) : Stores.memory(feed, maxBytes);
    }

    /** The store the class's server serves: a {@link #newStore} with {@link #FEED} unless the class brings its own. */
    protected Store openStore() throws Exception {
        return newStore(FEED);
    }

    /** The settings of the class's server, beyond the test config ({@link TestServer#config}). */
    protected Map<String, String> settings() {
        return Map.of();
    }

    @BeforeAll
    final void startTheServer() throws Exception {
        store = openStore();
        server = TestServer.start(store, pairs(settings()));
        http = server.http();
    }

    @BeforeEach
    final void startFromAResetStore() throws InterruptedException {
        resetStore();
    }

    /**
     * Deletes every app straight in the store (not through an API under test) and waits until no client
     * of an earlier test waits on the feed (a long-poll still running, a stream the server has not yet
     * found closed).
     */
    protected void resetStore() throws InterruptedException {
        Stores.empty(store);
        awaitWaiting(store, 0);
    }

    /** Waits until exactly {@code clients} wait on the feed of the class's store (long-polls, watches, SSE streams). */
    protected void awaitWaiting(int clients) throws InterruptedException {
        awaitWaiting(store, clients);
    }

    /** Waits until exactly {@code clients} wait on the feed of {@code store}. */
    protected static void awaitWaiting(Store store, int clients) throws InterruptedException {
        Eventually.await(
                "clients waiting on the feed: " + clients,
                Eventually.TIMEOUT,
                () -> store.feed().subscribers(),
                n -> n == clients);
    }

    /**
     * Another server over the class's store with these settings (key, value pairs), stopped after the
     * class unless the test closes it first.
     */
    protected TestServer startServer(String... settings) {
        TestServer other = TestServer.start(store, settings);
        others.add(other);
        return other;
    }

    @AfterAll
    final void stopTheServer() {
        others.forEach(TestServer::close);
        if (server != null) {
            server.close();
        }
        if (store != null) {
            emptyOnEtcd();
            store.close();
        }
    }

    /**
     * On etcd every class's store shares one cluster and its revisions: an app left with a ttl would expire
     * during a later class and take a revision inside that class's run of seqs. Best effort: a store a test
     * left unable to write is reported on stderr and left as it is.
     */
    private void emptyOnEtcd() {
        if (Stores.etcdEngine()) {
            try {
                Stores.empty(store);
            } catch (RuntimeException e) {
                System.err.println("could not empty " + getClass().getSimpleName() + "'s store after its tests: " + e);
            }
        }
    }

    private static String[] pairs(Map<String, String> settings) {
        return settings.entrySet().stream()
                .flatMap(e -> Stream.of(e.getKey(), e.getValue()))
                .toArray(String[]::new);
    }
}
