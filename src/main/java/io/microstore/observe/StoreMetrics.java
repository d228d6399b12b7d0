package io.microstore.observe;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;

import io.helidon.metrics.api.DistributionSummary;
import io.helidon.metrics.api.FunctionalCounter;
import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Metrics;
import io.helidon.metrics.api.Tag;
import io.helidon.metrics.api.Timer;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.microstore.api.Route;
import io.microstore.store.EngineEvents;
import io.microstore.store.Store;

/**
 * The store's own meters in Helidon's metrics registry, shown at {@code /observe/metrics} in
 * Prometheus text: apps, last seq, quota usage and limit, journal and snapshot bytes, write queue depth, batch size, fsync
 * latency, compactions, feed subscribers, request body bytes in flight, and requests by method, route and status.
 *
 * <p>The registry is global to the JVM, so the gauges read whichever store was bound last (there is
 * one per process; tests start several one after the other).
 */
public final class StoreMetrics implements EngineEvents {
    private static final AtomicReference<Store> CURRENT = new AtomicReference<>();
    private static final AtomicReference<LongSupplier> IN_FLIGHT = new AtomicReference<>(() -> 0);
    private static final AtomicReference<LongSupplier> LIMITED = new AtomicReference<>(() -> 0);
    private static final AtomicReference<LongSupplier> AUDIT_DROPPED = new AtomicReference<>(() -> 0);
    /** Methods counted by name; any other becomes "other", so made-up methods add no series. */
    private static final List<String> METHODS = List.of("GET", "HEAD", "PUT", "PATCH", "DELETE", "POST", "OPTIONS");
    /** The listing asked with a slash at the end, counted apart. */
    private static final String APPS_SLASH = Route.APPS.path() + "/";
    /** Every value {@link #route} returns: every route's path, {@link #APPS_SLASH} and "other". */
    private static final List<String> ROUTES = Stream.concat(
                    Stream.of(Route.values()).map(Route::path), Stream.of(APPS_SLASH, "other"))
            .toList();
    /** The index of one app's route in {@link #ROUTES}. */
    private static final int APP_ROUTE = ROUTES.indexOf(Route.APP.path());

    private static final StoreMetrics INSTANCE = new StoreMetrics(Metrics.globalRegistry());

    private final MeterRegistry registry;
    private final DistributionSummary batchSize;
    private final Timer fsync;
    private final AtomicReferenceArray<LongAdder> requests =
            new AtomicReferenceArray<>((METHODS.size() + 1) * ROUTES.size() * 500);

    private StoreMetrics(MeterRegistry registry) {
        this.registry = registry;
        gauge("microstore.apps", "Apps in the store", Store::size);
        gauge("microstore.last.seq", "Sequence number of the last committed change", Store::lastSeq);
        gauge(
                "microstore.journal.bytes",
                "Bytes of journal since the last snapshot",
                s -> s.stats().journalBytes());
        gauge(
                "microstore.snapshot.bytes",
                "Bytes of the last snapshot",
                s -> s.stats().snapshotBytes());
        gauge(
                "microstore.queue.depth",
                "Writes waiting for the writer",
                s -> s.stats().queued());
        gauge(
                "microstore.subscribers",
                "Clients waiting on the changes feed",
                s -> s.feed().subscribers());
        gauge(
                "microstore.live.queries",
                "Live queries (changes?where) registered on the changes feed",
                s -> s.feed().liveQueries());
        gauge(
                "microstore.store.bytes.used",
                "Heap bytes the apps take, as the memory quota counts them",
                Store::usedBytes);
        gauge(
                "microstore.store.bytes.feed",
                "Heap bytes of overwritten and deleted values the changes feed keeps " + "in the room the quota leaves",
                Store::feedBytes);
        gauge("microstore.store.bytes.limit", "The memory quota (store.max-bytes)", Store::maxBytes);
        registry.getOrCreate(Gauge.builder(
                        "microstore.inflight.bytes", IN_FLIGHT, ref -> ref.get().getAsLong())
                .description("Heap bytes request bodies hold now, as server.max-in-flight-bytes counts them"));
        registry.getOrCreate(FunctionalCounter.builder(
                        "microstore.compactions",
                        CURRENT,
                        ref -> ref.get() == null ? 0L : ref.get().stats().compactions())
                .description("Compactions (snapshots written) since start"));
        registry.getOrCreate(FunctionalCounter.builder(
                        "microstore.auth.limited", LIMITED, ref -> ref.get().getAsLong())
                .description("Requests answered 429 after too many failed authentications from their address"));
        registry.getOrCreate(FunctionalCounter.builder(
                        "microstore.audit.dropped",
                        AUDIT_DROPPED,
                        ref -> ref.get().getAsLong())
                .description("Audit log lines lost: the queue to its writer was full, or a write failed"));
        batchSize = registry.getOrCreate(DistributionSummary.builder("microstore.batch.size")
                .description("Writes committed together with one journal write (group commit)"));
        fsync = registry.getOrCreate(Timer.builder("microstore.fsync").description("Time of one journal fsync"));
    }

    /** Makes the meters report on {@code store} and its engine report to them. */
    public static void bind(Store store) {
        CURRENT.set(store);
        store.observe(INSTANCE);
    }

    /** Makes {@code microstore.inflight.bytes} report {@code used}: what the server's request bodies hold. */
    public static void bindInFlight(LongSupplier used) {
        IN_FLIGHT.set(used);
    }

    /** Makes the access meters report the failed-authentication limit's 429s and the audit log's lost lines. */
    public static void bindAccess(LongSupplier limited, LongSupplier auditDropped) {
        LIMITED.set(limited);
        AUDIT_DROPPED.set(auditDropped);
    }

    /** Counts every request by method, route (not the app name) and status. */
    public static void countRequests(HttpRouting.Builder routing) {
        routing.addFilter(INSTANCE::count);
    }

    @Override
    public void batch(int mutations) {
        batchSize.record(mutations);
    }

    @Override
    public void synced(long nanos) {
        fsync.record(nanos, TimeUnit.NANOSECONDS);
    }

    private void count(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        try {
            chain.proceed();
        } finally {
            int method = METHODS.indexOf(req.prologue().method().text());
            int route = routeIndex(req.path().absolute().path());
            int status = Math.min(Math.max(res.status().code(), 100), 599);
            // One LongAdder per method, route and status, found by index: cheap on every request.
            // The registry reads it through a functional counter made the first time.
            int slot = ((method < 0 ? METHODS.size() : method) * ROUTES.size() + route) * 500 + status - 100;
            LongAdder adder = requests.get(slot);
            if (adder == null) {
                adder = register(slot, method < 0 ? "other" : METHODS.get(method), ROUTES.get(route), status);
            }
            adder.increment();
        }
    }

    private synchronized LongAdder register(int slot, String method, String route, int status) {
        LongAdder adder = requests.get(slot);
        if (adder == null) {
            LongAdder created = new LongAdder();
            registry.getOrCreate(FunctionalCounter.builder("microstore.requests", created, LongAdder::sum)
                    .description("HTTP requests by method, route and status")
                    .tags(List.of(
                            Tag.create("method", method),
                            Tag.create("route", route),
                            Tag.create("status", String.valueOf(status)))));
            requests.set(slot, created);
            adder = created;
        }
        return adder;
    }

    /** The index in {@link #ROUTES} of the route of {@code path}: one app's, the most asked, without a scan. */
    private static int routeIndex(String path) {
        return isApp(path) ? APP_ROUTE : ROUTES.indexOf(route(path));
    }

    private static boolean isApp(String path) {
        return path.startsWith(APPS_SLASH) && path.length() > APPS_SLASH.length();
    }

    /** The route a path belongs to, without the app name, so the number of series stays small. */
    static String route(String path) {
        if (isApp(path)) {
            return Route.APP.path();
        }
        if (path.startsWith(Route.INDEXES.path() + "/")
                && path.length() > Route.INDEXES.path().length() + 1) {
            return Route.INDEX.path();
        }
        if (path.startsWith(Route.KEYS.path() + "/")
                && path.length() > Route.KEYS.path().length() + 1) {
            return Route.KEY.path();
        }
        if (ROUTES.contains(path)) {
            return path;
        }
        if (path.startsWith(Route.UI.path() + "/")) {
            return Route.UI.path();
        }
        return path.startsWith(Route.OPENAPI.path())
                ? Route.OPENAPI.path()
                : path.startsWith(Route.OBSERVE.path()) ? Route.OBSERVE.path() : "other";
    }

    private void gauge(String name, String description, ToDoubleFunction<Store> value) {
        registry.getOrCreate(Gauge.builder(name, CURRENT, ref -> ref.get() == null ? 0 : value.applyAsDouble(ref.get()))
                .description(description));
    }
}
