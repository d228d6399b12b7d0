package io.microstore.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import io.microstore.Settings;
import io.microstore.etcd.EtcdConfig;
import io.microstore.etcd.EtcdEngine;
import io.microstore.etcd.gateway.GatewayClient;
import io.microstore.local.LocalConfig;
import io.microstore.local.LocalEngine;
import io.microstore.persist.FileOps;
import io.microstore.persist.JournalConfig;
import io.microstore.persist.MemoryPersistence;
import io.microstore.persist.Persistence;
import io.microstore.store.Command;
import io.microstore.store.Precondition;
import io.microstore.store.Store;
import io.microstore.store.feed.FeedConfig;

/**
 * Loaded stores for tests: on the local engine in memory or on the persistence given, or on the etcd
 * engine over one JVM-wide etcd cluster ({@link #etcd}). {@link #ENGINE} is the engine the HTTP API tests
 * run against (system property {@code microstore.test.engine}: {@code local}, the default, or {@code etcd}).
 */
public final class Stores {
    /** The engine {@code ServerTestBase.newStore} picks: {@code local} or {@code etcd}. */
    public static final String ENGINE = System.getProperty("microstore.test.engine", "local");

    /** With {@code -Dmicrostore.test.etcd=secure} the etcd engine's tests run on a TLS + auth cluster. */
    static final boolean SECURE = "secure".equals(System.getProperty("microstore.test.etcd"));
    /** The defaults of the packaged application.yaml, the one place they are written. */
    public static final Settings DEFAULTS = Settings.defaults();
    /** The changes feed's default settings. */
    public static final FeedConfig FEED = DEFAULTS.feed();
    /** The local engine's default settings. */
    public static final LocalConfig LOCAL = DEFAULTS.local();
    /** The default journal size that triggers a compaction. */
    public static final long MIN_JOURNAL_BYTES = DEFAULTS.minJournalBytes();

    private static final AtomicInteger PREFIXES = new AtomicInteger();
    private static EtcdCluster cluster;

    private Stores() {}

    /** A journal in {@code dir} with the default compaction threshold and the real file system. */
    public static JournalConfig journal(Path dir) {
        return new JournalConfig(dir, MIN_JOURNAL_BYTES, FileOps.REAL);
    }

    /** True when the HTTP API tests run on the etcd engine. */
    public static boolean etcdEngine() {
        return ENGINE.equals("etcd");
    }

    /**
     * A store on the etcd engine under a fresh key prefix, on one etcd cluster started the first time
     * it is needed and stopped (its directory deleted) when the JVM exits.
     */
    public static Store etcd(FeedConfig feed) {
        return etcd(feed, Long.MAX_VALUE);
    }

    /** {@link #etcd(FeedConfig)} with a memory quota of {@code maxBytes}. */
    public static Store etcd(FeedConfig feed, long maxBytes) {
        try {
            GatewayClient client = new GatewayClient(
                    cluster().endpoints(),
                    Duration.ofMillis(500),
                    Duration.ofSeconds(3),
                    cluster().access());
            String prefix = "/test" + PREFIXES.incrementAndGet() + "-" + System.nanoTime() + "/";
            return Store.open(new EtcdEngine(client, prefix, EtcdConfig.DEFAULTS), feed, maxBytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The JVM-wide etcd cluster, started on first use. */
    public static synchronized EtcdCluster cluster() throws IOException {
        if (cluster == null) {
            Path dir = Files.createTempDirectory("microstore-etcd");
            try {
                // -Dmicrostore.test.etcd=secure: the same tests over TLS, as an etcd user whose role
                // covers only the prefixes the stores here use ("/test...")
                cluster = SECURE ? EtcdCluster.startSecure(dir, "/test", 300) : EtcdCluster.start(dir);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while starting etcd", e);
            }
            EtcdCluster started = cluster;
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(
                            () -> {
                                try {
                                    started.close();
                                    try (Stream<Path> files = Files.walk(dir)) {
                                        files.sorted(Comparator.reverseOrder())
                                                .forEach(f -> f.toFile().delete());
                                    }
                                } catch (Exception e) {
                                    System.err.println("stopping the tests' etcd cluster in " + dir + " failed: " + e);
                                }
                            },
                            "stores-etcd-stop"));
        }
        return cluster;
    }

    public static Store memory() {
        return memory(FEED);
    }

    public static Store memory(FeedConfig feed) {
        return memory(feed, Long.MAX_VALUE);
    }

    /** A store in memory with a memory quota of {@code maxBytes}. */
    public static Store memory(FeedConfig feed, long maxBytes) {
        try {
            return Store.open(new LocalEngine(new MemoryPersistence(), LOCAL), feed, maxBytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Store open(Persistence persistence) throws IOException {
        return open(persistence, LOCAL);
    }

    public static Store open(Persistence persistence, LocalConfig config) throws IOException {
        return open(persistence, config, FEED);
    }

    public static Store open(Persistence persistence, LocalConfig config, FeedConfig feed) throws IOException {
        return Store.open(new LocalEngine(persistence, config), feed);
    }

    /** Deletes every app straight in the store, not through an API under test. */
    public static void empty(Store store) {
        executeAll(
                store,
                store.list("", null, Integer.MAX_VALUE).items().stream()
                        .map(item -> (Command) new Command.Delete(item.getKey(), Precondition.NONE))
                        .toList());
    }

    /**
     * Runs {@code commands} straight in the store, up to 256 at a time (one batch on the local engine,
     * concurrent txns on etcd), and throws the first refusal.
     */
    public static void executeAll(Store store, List<Command> commands) {
        for (int from = 0; from < commands.size(); from += 256) {
            for (Object result : store.executeAll(commands.subList(from, Math.min(commands.size(), from + 256)))) {
                if (result instanceof RuntimeException e) {
                    throw e;
                }
            }
        }
    }
}
