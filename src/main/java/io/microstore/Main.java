package io.microstore;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

import io.helidon.common.tls.Tls;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.observe.ObserveFeature;
import io.helidon.webserver.observe.health.HealthObserver;
import io.helidon.webserver.observe.metrics.MetricsObserver;
import io.helidon.webserver.staticcontent.ClasspathHandlerConfig;
import io.helidon.webserver.staticcontent.StaticContentFeature;
import io.microstore.api.AdminService;
import io.microstore.api.AppsService;
import io.microstore.api.ChangesService;
import io.microstore.api.DateHeader;
import io.microstore.api.IndexService;
import io.microstore.api.KeyRing;
import io.microstore.api.KeysService;
import io.microstore.api.Problems;
import io.microstore.api.QueryService;
import io.microstore.api.Route;
import io.microstore.api.SchemaService;
import io.microstore.api.TransferService;
import io.microstore.api.TxnService;
import io.microstore.api.access.AuditLog;
import io.microstore.api.access.ClientAddress;
import io.microstore.api.access.CorsFilter;
import io.microstore.api.access.FailedAuthLimit;
import io.microstore.api.access.KeyAuth;
import io.microstore.api.http10.Http1Selector;
import io.microstore.api.limits.BodyGuard;
import io.microstore.api.limits.ConnectionBytes;
import io.microstore.api.limits.ConnectionClose;
import io.microstore.api.limits.HeaderTimeout;
import io.microstore.api.limits.InFlightBytes;
import io.microstore.api.limits.PathForm;
import io.microstore.api.limits.ReceiveListeners;
import io.microstore.api.limits.ServerHealth;
import io.microstore.api.wire.AppsQuery;
import io.microstore.observe.StoreHealth;
import io.microstore.observe.StoreMetrics;
import io.microstore.store.Engine;
import io.microstore.store.Store;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/** Wires config → store → routing → server, and nothing else. */
public final class Main {
    private static final System.Logger LOG = System.getLogger(Main.class.getName());
    /**
     * How long a stop waits for the feed's clients to be answered: a long-poll's answer and a stream's
     * last event take milliseconds, unless a client stopped reading and its write blocks; such a client
     * is cut off then, well before an orchestrator's kill (docker stop waits 10 s, Kubernetes 30 s).
     */
    private static final Duration FEED_DRAIN = Duration.ofSeconds(5);

    private Main() {}

    public static void main(String[] args) {
        Cli cli;
        Settings settings;
        try {
            cli = Cli.parse(args);
            if (cli.help() || cli.version()) {
                System.out.print(cli.help() ? Cli.USAGE : "microstore " + Startup.version() + "\n");
                return;
            }
            settings = Settings.from(Settings.load(cli));
        } catch (RuntimeException e) {
            Startup.exit(Startup.BAD_CONFIGURATION, "microstore: " + e.getMessage() + " (try --help)");
            return;
        }
        Logging.configure(cli.debug());
        if (cli.repair()) {
            Startup.repair(settings);
            return;
        }
        try {
            Engine engine = Startup.engine(settings);
            Store store = Store.create(engine, settings.feed(), settings.maxBytes());
            // Load while the server is set up (about a second of Helidon's own work): with a large
            // journal that halves the time to the first request. The server starts once both are done.
            CompletableFuture<Void> loading = Startup.load(store);
            WebServer server = WebServer.builder()
                    .update(builder -> setup(builder, settings, store))
                    .shutdownHook(false)
                    .build();
            Startup.await(loading);
            if (cli.importFile() != null) {
                Startup.importFile(store, cli.importFile(), cli.overwrite());
            }
            Startup.warnIfExposed(settings);
            server.start();
            onSignals(() -> shutdown(server, store));
            onReload(cli, server);
            System.out.println(Startup.listening(settings, server.port(), store.describe()));
        } catch (IOException | RuntimeException e) {
            Startup.exit(Startup.exitStatus(e), "microstore: cannot start: " + e.getMessage());
        } catch (OutOfMemoryError e) { // while the load fills the heap, setting up the server may run out first
            Startup.heapTooSmall();
        }
    }

    /** Everything a server needs besides the store; the tests use it too. */
    public static void setup(WebServerConfig.Builder server, Settings settings, Store store) {
        KeyRing ring = keyRing(settings, store);
        setup(
                server,
                settings,
                store,
                ring,
                routing -> routing(routing, store, ring, settings.maxPayload(), settings.scanBudget()));
    }

    /** The keys the server knows: the config file's (the token among them) and the store's. */
    static KeyRing keyRing(Settings settings, Store store) {
        ApiSecurity security = settings.security();
        return new KeyRing(security.keys(), store.keys(), security.enforced(), security.publicRead());
    }

    /**
     * The server's settings, limits, filters and observability around {@code routes}; the benchmarks'
     * bare server uses it with routes that store nothing, to measure what this set-up costs a request.
     */
    public static void setup(
            WebServerConfig.Builder server, Settings settings, Store store, Consumer<HttpRouting.Builder> routes) {
        setup(server, settings, store, keyRing(settings, store), routes);
    }

    private static void setup(
            WebServerConfig.Builder server,
            Settings settings,
            Store store,
            KeyRing ring,
            Consumer<HttpRouting.Builder> routes) {
        StoreMetrics.bind(store);
        FloodLimits flood = settings.flood();
        InFlightBytes inFlight = new InFlightBytes(flood.maxInFlightBytes());
        StoreMetrics.bindInFlight(inFlight::used);
        GuardSettings guard = settings.guard();
        ClientAddress clients = new ClientAddress(guard.trustedProxies());
        FailedAuthLimit failureLimit = guard.maxFailures() == 0
                ? null
                : new FailedAuthLimit(
                        guard.maxFailures(), guard.failureWindow(), guard.failureAddresses(), clients, store.clock());
        AuditLog audit = guard.auditLog()
                .map(to -> AuditLog.open(to, clients, store.clock()))
                .orElse(null);
        StoreMetrics.bindAccess(
                failureLimit == null ? () -> 0 : failureLimit::limited, audit == null ? () -> 0 : audit::dropped);
        Http1Config http1 = Http1Config.builder()
                .name("http_1_1")
                // The request line must carry a where of AppsQuery.MAX_WHERE bytes, each up to 3 when
                // percent-encoded, and the rest of the query: Helidon's 4 KiB would refuse it with a 414.
                .maxPrologueLength(4 * AppsQuery.MAX_WHERE)
                // one listener: Helidon 4.5.0 calls none of two or more (ReceiveListeners says why)
                .addReceiveListener(new ReceiveListeners(
                        new HeaderTimeout(flood.headerTimeout()),
                        new ConnectionBytes())) // ConnectionBytes: for BodyGuard's strict chunked decoding
                .build();
        server.config(settings.server())
                // BodyGuard refuses a body over the limit Settings chose (server.max-payload-size when set, else
                // 10 MiB, 1 MiB in cluster mode) and reads the rest so the client sees the 413; Helidon's own
                // limit only bounds that discarding.
                .maxPayloadSize(settings.maxPayload() + flood.maxDiscard())
                // HTTP/1.1 as Helidon's own selector serves it, and HTTP/1.0 too (Http1Selector): in its place,
                // not beside it, so no HTTP/1 selector of Helidon's is discovered.
                .protocolsDiscoverServices(false)
                .addConnectionSelector(new Http1Selector(http1))
                .directHandlers(Problems.directHandlers(store.clock()))
                .addFeature(ObserveFeature.builder()
                        .addObserver(HealthObserver.builder()
                                .details(true)
                                .addCheck(new StoreHealth(store))
                                .addCheck(new ServerHealth())
                                .build())
                        .addObserver(MetricsObserver.create())
                        .build())
                .routing(routing -> {
                    // first, so that whatever answers (a filter below, a handler, an error) sends its Date
                    routing.addFilter(new DateHeader(store.clock()));
                    // outermost of the rest: it closes the connection once the filters below are done with it
                    routing.addFilter(new ConnectionClose());
                    if (audit != null) { // outside every filter that may answer, so that it sees each answer
                        routing.addFilter(audit);
                    }
                    // then, so that whatever answers a request (auth, CORS, a handler) its body is dealt with
                    routing.addFilter(new BodyGuard(
                            inFlight,
                            settings.maxPayload(),
                            flood.bodyTimeout(),
                            Problems::handle)); // it answers its 413 as the routing answers every refusal
                    routing.addFilter(new PathForm()); // before anything reads the path it would route by
                    StoreMetrics.countRequests(routing);
                    if (!settings.corsOrigins().isEmpty()) { // before auth, so a 401 carries CORS headers too
                        routing.addFilter(new CorsFilter(settings.corsOrigins()));
                    }
                    if (failureLimit != null) { // before auth, and after CORS so a page can read its 429
                        routing.addFilter(failureLimit);
                    }
                    // Always: without security configured it lets every request in as before, yet resolves a key
                    // that is sent, so a key's rules also hold on an open server.
                    routing.addFilter(new KeyAuth(ring));
                    routes.accept(routing);
                });
    }

    static void routing(HttpRouting.Builder routing, Store store, KeyRing ring, long maxPayload, long scanBudget) {
        Handler toSwaggerUi = (req, res) -> res.status(Status.FOUND_302)
                .header(HeaderValues.create(HeaderNames.LOCATION, Route.OPENAPI.path() + "/ui"))
                .send();
        AppsService apps = new AppsService(store, maxPayload, scanBudget);
        routing.get(Route.ROOT.path(), toSwaggerUi)
                .head(Route.ROOT.path(), toSwaggerUi)
                .register(Route.APPS.path(), apps) // and APP under it
                .register(Route.QUERY.path(), new QueryService(apps))
                .register(Route.TXN.path(), new TxnService(store, maxPayload))
                .register(Route.CHANGES.path(), new ChangesService(store.feed()))
                .register(Route.SCHEMA.path(), new SchemaService())
                .register(Route.INDEXES.path(), new IndexService(store)) // and INDEX under it
                .register(Route.KEYS.path(), new KeysService(ring)) // and KEY under it
                .register(Route.COMPACT.mount(), new AdminService(store))
                .register(Route.EXPORT.mount(), new TransferService(store)) // EXPORT and IMPORT
                .any(Route.UI.path() + "/*", Main::uiHeaders)
                .register(
                        Route.UI.path(),
                        StaticContentFeature.createService(ClasspathHandlerConfig.builder()
                                .location("ui")
                                .welcome("index.html")
                                .build()));
        Problems.register(routing);
    }

    /**
     * The data browser's files change with the jar: the browser must ask again each time (the static
     * content's ETag makes that a 304), never run yesterday's script against today's API. Its policy
     * allows scripts and styles only from the jar, and requests to any origin (the API may be elsewhere).
     */
    private static void uiHeaders(
            io.helidon.webserver.http.ServerRequest req, io.helidon.webserver.http.ServerResponse res) {
        res.header(HeaderValues.create(HeaderNames.CACHE_CONTROL, "no-cache"));
        res.header(HeaderValues.create(HeaderNames.X_CONTENT_TYPE_OPTIONS, "nosniff"));
        res.header(HeaderValues.create(
                HeaderNames.create("Content-Security-Policy"),
                "default-src 'self'; connect-src *; img-src 'self' data:; frame-ancestors 'none'"));
        res.next();
    }

    /**
     * SIGTERM and Ctrl-C: end the feed's clients properly, stop taking requests, finish queued writes,
     * close the store, exit 0.
     */
    private static void onSignals(Runnable shutdown) {
        // A non-daemon thread: once the server has stopped, its threads no longer keep the JVM alive,
        // and the store must still finish the queued writes and close the journal.
        SignalHandler handler = signal -> Thread.ofPlatform()
                .name("microstore-shutdown")
                .daemon(false)
                .start(() -> {
                    shutdown.run();
                    System.exit(0);
                });
        Signal.handle(new Signal("TERM"), handler);
        Signal.handle(new Signal("INT"), handler);
    }

    /**
     * SIGHUP: read {@code server.tls} again from the same config sources and swap the certificate, key and
     * trust in place (Helidon's {@code WebServer.reloadTls}): new handshakes get the new certificate, open
     * connections keep the session they have. Handling SIGHUP also keeps the JVM from exiting on it, its
     * default. A config that cannot be read leaves the certificate in use as it was, with a warning.
     */
    private static void onReload(Cli cli, WebServer server) {
        try {
            SignalHandler previous = Signal.handle(
                    new Signal("HUP"),
                    signal -> Thread.ofPlatform().name("microstore-reload").start(() -> reloadTls(cli, server)));
            // A process that inherits SIGHUP ignored (nohup, some supervisors) keeps it ignored: the JVM then
            // installs no handler, and a renewed certificate's SIGHUP would go unheard without a word.
            if (previous == SignalHandler.SIG_IGN && server.hasTls()) {
                LOG.log(
                        System.Logger.Level.WARNING,
                        "SIGHUP is ignored in this process (started with nohup?), so it cannot reload server.tls: "
                                + "a renewed certificate takes a restart; start microstore with setsid or a "
                                + "service manager instead to keep reloads");
            }
        } catch (IllegalArgumentException e) { // e.g. the JVM runs with -Xrs
            LOG.log(
                    System.Logger.Level.WARNING,
                    "SIGHUP cannot be handled (" + e.getMessage() + "): a new TLS " + "certificate takes a restart");
        }
    }

    private static void reloadTls(Cli cli, WebServer server) {
        if (!server.hasTls()) {
            LOG.log(System.Logger.Level.INFO, "SIGHUP: no server.tls, nothing to reload");
            return;
        }
        try {
            Tls tls = TlsSettings.reloadServer(Settings.load(cli));
            server.reloadTls(tls);
            LOG.log(System.Logger.Level.INFO, "SIGHUP: server.tls reloaded; new connections get its certificate");
        } catch (RuntimeException e) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "SIGHUP: server.tls not reloaded, the certificate in use stays: " + e.getMessage());
        }
    }

    /**
     * The order matters: the server can only write the feed's last answers while it runs, and the store
     * must outlive every request. So first the feed closes (new feed requests get 503 with Retry-After;
     * each long-poll is answered with what it has, each SSE stream gets its shutdown event and its proper
     * end), then the server stops (no new connections; requests in progress get Helidon's grace period),
     * then the store finishes the queued writes and closes.
     */
    private static void shutdown(WebServer server, Store store) {
        LOG.log(System.Logger.Level.INFO, "stopping: ending the changes feed's clients");
        if (!store.feed().closeAndDrain(FEED_DRAIN)) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    store.feed().subscribers() + " clients of the changes feed were not answered within "
                            + FEED_DRAIN.toSeconds() + " s (not reading?): their connections are closed");
        }
        server.stop();
        LOG.log(System.Logger.Level.INFO, "stopping: finishing queued writes");
        store.close();
        LOG.log(System.Logger.Level.INFO, "stopped");
    }
}
