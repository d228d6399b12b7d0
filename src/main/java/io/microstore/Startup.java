package io.microstore;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import io.microstore.api.wire.ImportFormats;
import io.microstore.etcd.EtcdConfig;
import io.microstore.etcd.EtcdEngine;
import io.microstore.etcd.gateway.GatewayClient;
import io.microstore.local.LocalEngine;
import io.microstore.persist.DirectoryInUse;
import io.microstore.persist.JournalDamaged;
import io.microstore.persist.JournalPersistence;
import io.microstore.persist.MemoryPersistence;
import io.microstore.persist.Persistence;
import io.microstore.store.Engine;
import io.microstore.store.ImportRejected;
import io.microstore.store.Importer;
import io.microstore.store.Store;

/** What happens around serving: choosing the engine, --repair, --import, start-up warnings, exiting. */
final class Startup {
    private static final System.Logger LOG = System.getLogger(Startup.class.getName());

    /** A start failed for a reason with no status of its own (a port in use, an I/O error, a refused import). */
    static final int CANNOT_START = 1;
    /** A bad flag, a bad setting or a missing config file: nothing to retry until the configuration is fixed. */
    static final int BAD_CONFIGURATION = 2;
    /** Out of heap: the JVM's own status for -XX:+ExitOnOutOfMemoryError, used too when the load runs out. */
    static final int OUT_OF_HEAP = 3;
    /** Another process holds the data directory's lock. */
    static final int DIRECTORY_IN_USE = 4;
    /** The journal or a snapshot is damaged beyond a torn last record: --repair or a backup, not a retry. */
    static final int DATA_DAMAGED = 5;

    private Startup() {}

    /** Loads {@code store} on a thread of its own, logging how many apps and how long. */
    static CompletableFuture<Void> load(Store store) {
        CompletableFuture<Void> loaded = new CompletableFuture<>();
        Thread.ofPlatform().name("microstore-load").start(() -> {
            long start = System.nanoTime();
            try {
                store.load();
                LOG.log(
                        System.Logger.Level.INFO,
                        String.format("%d apps ready in %d ms", store.size(), (System.nanoTime() - start) / 1_000_000));
                loaded.complete(null);
            } catch (IOException | RuntimeException e) {
                loaded.completeExceptionally(e);
            } catch (OutOfMemoryError e) {
                heapTooSmall(); // from here: the main thread may be out of heap too, or waiting for this forever
            }
        });
        return loaded;
    }

    /**
     * Ends a start that ran out of heap (a data directory larger than -Xmx allows) with a message that says
     * so, instead of a stack trace or a process that never serves. The data directory is left as it was.
     */
    static void heapTooSmall() {
        exit(
                OUT_OF_HEAP,
                "microstore: cannot start: the heap (-Xmx, at most "
                        + (Runtime.getRuntime().maxMemory() >> 20)
                        + " MiB now) is too small to load the data directory; start java with a larger -Xmx");
    }

    /** Waits for {@link #load}; its failure (a damaged journal, say) ends the start with its message. */
    static void await(CompletableFuture<Void> loading) throws IOException {
        try {
            loading.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /** --import FILE: loads it before serving; refuses (and exits) when names exist and --overwrite is absent. */
    static void importFile(Store store, Path file, boolean overwrite) throws IOException {
        try {
            Importer.Report report = Importer.run(store, ImportFormats.fromFile(Files.readAllBytes(file)), overwrite);
            System.out.println("imported " + report.imported() + " apps from " + file
                    + (report.expired() == 0 ? "" : " (" + report.expired() + " left out: their deadline had passed)")
                    + (report.resolved() == 0
                            ? ""
                            : " (" + report.resolved() + " read back after etcd left their outcome unknown)")
                    + (report.refused().isEmpty() ? "" : "; refused (created meanwhile): " + report.refused()));
        } catch (ImportRejected e) {
            store.close();
            exit(CANNOT_START, "microstore: import of " + file + " refused: " + e.getMessage());
        }
    }

    /**
     * The start-up line (scripts and tests read the URL from it): where it listens and where the data lives.
     * The fsync policy is named only with a data directory, the one case it governs: in memory nothing goes
     * to a disk, and in cluster mode etcd makes writes durable.
     */
    static String listening(Settings settings, int port, String data) {
        String disk = settings.etcd()
                ? ""
                : settings.data() == null
                        ? ", not on disk"
                        : ", fsync: " + settings.local().fsync().wireName();
        return "microstore listening on " + (settings.serverTls() ? "https" : "http") + "://" + settings.host() + ":"
                + port + "/ (Swagger UI at /openapi/ui, data: " + data + disk + ")";
    }

    /** A warning when the API can be reached from other machines without a token. */
    static void warnIfExposed(Settings settings) {
        if (!settings.loopback() && !settings.security().enforced()) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "listening on " + settings.host() + " without a token: anyone who "
                            + "can reach this port can read and change every app (set security.token or MICROSTORE_TOKEN)");
        }
    }

    /** The etcd engine in cluster mode (store.etcd.endpoints); else the local engine on the journal in the data directory, or in memory only (with a warning). */
    static Engine engine(Settings settings) throws IOException {
        if (settings.etcd()) {
            return new EtcdEngine(
                    new GatewayClient(
                            settings.etcdEndpoints(),
                            Duration.ofSeconds(1),
                            settings.etcdTimeout(),
                            settings.etcdAccess()),
                    settings.etcdPrefix(),
                    EtcdConfig.DEFAULTS.withKeepRevisions(settings.feed().retain()));
        }
        Persistence persistence;
        if (settings.data() == null) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "no data directory (--data DIR): data is kept in memory only " + "and lost when microstore stops");
            persistence = new MemoryPersistence();
        } else {
            persistence = JournalPersistence.open(settings.journal());
        }
        return new LocalEngine(persistence, settings.local());
    }

    /** --repair: cut a damaged journal at its last good record, keep the damage aside, report, exit. */
    static void repair(Settings settings) {
        if (settings.data() == null) {
            exit(BAD_CONFIGURATION, "microstore: --repair needs --data DIR");
        }
        try {
            for (String line : JournalPersistence.repair(settings.journal())) {
                System.out.println("repair: " + line);
            }
            System.out.println("repair: done; start microstore without --repair to serve " + settings.data());
        } catch (IOException | RuntimeException e) {
            exit(exitStatus(e), "microstore: repair failed: " + e.getMessage());
        }
    }

    /**
     * What --version prints: the version and the commit it was built from, from the build.properties Maven
     * fills in, so that the jar and every package made from it say the same.
     */
    static String version() {
        Properties build = new Properties();
        try (InputStream in = Startup.class.getResourceAsStream("build.properties")) {
            if (in != null) {
                build.load(in);
            }
        } catch (IOException e) {
            // an unreadable resource of our own jar: say so in the version rather than fail --version
        }
        return build.getProperty("version", "(development build)") + " (commit "
                + build.getProperty("commit", "unknown") + ")";
    }

    /**
     * The exit status of a start that failed with {@code e}, one per cause an operator or a supervisor acts
     * on differently (docs/OPERATIONS.md lists them): a supervisor retries a directory in use, not a damaged one.
     */
    static int exitStatus(Throwable e) {
        if (e instanceof DirectoryInUse) {
            return DIRECTORY_IN_USE;
        }
        return e instanceof JournalDamaged ? DATA_DAMAGED : CANNOT_START;
    }

    /** One line on stderr, then exit with {@code status}. */
    static void exit(int status, String message) {
        System.err.println(message);
        System.exit(status);
    }
}
