package io.microstore;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import io.helidon.config.Config;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRouting;
import io.microstore.api.AdminService;
import io.microstore.api.AppsService;
import io.microstore.api.ChangesService;
import io.microstore.api.CorsFilter;
import io.microstore.api.Problems;
import io.microstore.api.SchemaService;
import io.microstore.api.TransferService;
import io.microstore.api.BearerAuth;
import io.microstore.observe.StoreHealth;
import io.microstore.observe.StoreMetrics;
import io.helidon.webserver.observe.ObserveFeature;
import io.helidon.webserver.observe.health.HealthObserver;
import io.helidon.webserver.observe.metrics.MetricsObserver;
import io.microstore.persist.JournalPersistence;
import io.microstore.persist.MemoryPersistence;
import io.microstore.persist.Persistence;
import io.microstore.store.ImportRejected;
import io.microstore.store.Importer;
import io.microstore.store.Store;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/** Wires config → store → routing → server, and nothing else. */
public final class Main {
    private static final System.Logger LOG = System.getLogger(Main.class.getName());

    private Main() {
    }

    public static void main(String[] args) {
        Cli cli;
        Settings settings;
        Config config;
        try {
            cli = Cli.parse(args);
            if (cli.help() || cli.version()) {
                System.out.print(cli.help() ? Cli.USAGE : "microstore " + version() + "\n");
                return;
            }
            config = Settings.load(cli);
            settings = Settings.from(config);
        } catch (RuntimeException e) {
            exit(2, "microstore: " + e.getMessage() + "\nTry 'java -jar target/microstore.jar --help'.");
            return;
        }
        Logging.configure(cli.debug());
        if (cli.repair()) {
            repair(settings);
            return;
        }
        try {
            Persistence persistence = persistence(settings);
            long start = System.nanoTime();
            Store store = Store.open(persistence, settings.store());
            LOG.log(System.Logger.Level.INFO, String.format("%d apps ready in %d ms", store.index().size(),
                    (System.nanoTime() - start) / 1_000_000));
            if (cli.importFile() != null) {
                importFile(store, cli.importFile(), cli.overwrite());
            }
            warnIfExposed(settings, config);
            WebServer server = WebServer.builder()
                    .update(builder -> setup(builder, config, store))
                    .shutdownHook(false)
                    .build()
                    .start();
            onSignals(() -> shutdown(server, store));
            System.out.printf("microstore listening on http://%s:%d/ (Swagger UI at /openapi/ui, data: %s, fsync: %s)%n",
                    settings.host(), server.port(), persistence.describe(), settings.store().fsync().wireName());
        } catch (IOException | RuntimeException e) {
            exit(1, "microstore: cannot start: " + e.getMessage());
        }
    }

    /** --import FILE: loads it before serving; refuses (and exits) when names exist and --overwrite is absent. */
    private static void importFile(Store store, Path file, boolean overwrite) throws IOException {
        try {
            Importer.Report report = Importer.run(store, Importer.fromFile(Files.readAllBytes(file)), overwrite);
            System.out.println("imported " + report.imported() + " apps from " + file
                    + (report.refused().isEmpty() ? "" : "; refused (created meanwhile): " + report.refused()));
        } catch (ImportRejected e) {
            store.close();
            exit(1, "microstore: import of " + file + " refused: " + e.getMessage());
        }
    }

    private static void warnIfExposed(Settings settings, Config config) {
        boolean loopback = settings.host().equals("localhost") || settings.host().startsWith("127.")
                || settings.host().equals("::1");
        if (!loopback && ApiSecurity.from(config).token().isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "listening on " + settings.host() + " without a token: anyone who "
                    + "can reach this port can read and change every app (set security.token or MICROSTORE_TOKEN)");
        }
    }

    private static Persistence persistence(Settings settings) throws IOException {
        if (settings.data() == null) {
            LOG.log(System.Logger.Level.WARNING, "no data directory (--data DIR): data is kept in memory only "
                    + "and lost when microstore stops");
            return new MemoryPersistence();
        }
        return JournalPersistence.open(settings.journal());
    }

    /** --repair: cut a damaged journal at its last good record, keep the damage aside, report, exit. */
    private static void repair(Settings settings) {
        if (settings.data() == null) {
            exit(2, "microstore: --repair needs --data DIR");
        }
        try {
            for (String line : JournalPersistence.repair(settings.journal())) {
                System.out.println("repair: " + line);
            }
            System.out.println("repair: done; start microstore without --repair to serve " + settings.data());
        } catch (IOException | RuntimeException e) {
            exit(1, "microstore: repair failed: " + e.getMessage());
        }
    }

    /** Everything a server needs besides the store; the tests use it too. */
    public static void setup(WebServerConfig.Builder server, Config config, Store store) {
        ApiSecurity security = ApiSecurity.from(config);
        Optional<CorsFilter> cors = Cors.from(config);
        StoreMetrics.bind(store);
        server.config(config.get("server"))
                .directHandlers(Problems.directHandlers())
                .addFeature(ObserveFeature.builder()
                        .addObserver(HealthObserver.builder().details(true).addCheck(new StoreHealth(store)).build())
                        .addObserver(MetricsObserver.create())
                        .build())
                .routing(routing -> {
                    StoreMetrics.countRequests(routing);
                    cors.ifPresent(routing::addFilter); // before auth, so a 401 carries CORS headers too
                    security.token().ifPresent(token -> routing.addFilter(new BearerAuth(token, security.publicRead())));
                    routing(routing, store, config.get("server.max-payload-size").asLong().orElse(10L << 20));
                });
    }

    static void routing(HttpRouting.Builder routing, Store store, long maxPayload) {
        Handler toSwaggerUi = (req, res) -> res.status(Status.FOUND_302)
                .header(HeaderValues.create(HeaderNames.LOCATION, "/openapi/ui"))
                .send();
        routing.get("/", toSwaggerUi)
                .head("/", toSwaggerUi)
                .register("/api/apps", new AppsService(store, maxPayload))
                .register("/api/changes", new ChangesService(store.feed()))
                .register("/api/schema", new SchemaService())
                .register("/api/admin", new AdminService(store))
                .register("/api", new TransferService(store));
        Problems.register(routing);
    }

    /** SIGTERM and Ctrl-C: stop taking requests, finish queued writes, close the store, exit 0. */
    private static void onSignals(Runnable shutdown) {
        // A non-daemon thread: once the server has stopped, its threads no longer keep the JVM alive,
        // and the store must still finish the queued writes and close the journal.
        SignalHandler handler = signal -> Thread.ofPlatform().name("microstore-shutdown").daemon(false).start(() -> {
            shutdown.run();
            System.exit(0);
        });
        Signal.handle(new Signal("TERM"), handler);
        Signal.handle(new Signal("INT"), handler);
    }

    private static void shutdown(WebServer server, Store store) {
        LOG.log(System.Logger.Level.INFO, "stopping: finishing queued writes");
        store.feed().close(); // first, so waiting clients get their answer before the server stops
        server.stop();
        store.close();
        LOG.log(System.Logger.Level.INFO, "stopped");
    }

    private static String version() {
        String version = Main.class.getPackage().getImplementationVersion();
        return version == null ? "(development build)" : version;
    }

    private static void exit(int status, String message) {
        PrintStream err = System.err;
        err.println(message);
        System.exit(status);
    }
}
