package io.microstore.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.microstore.etcd.EtcdConfig;
import io.microstore.etcd.EtcdEngine;
import io.microstore.etcd.gateway.GatewayClient;
import io.microstore.linearizability.Checker;
import io.microstore.linearizability.History;
import io.microstore.linearizability.Op;
import io.microstore.linearizability.Op.Kind;
import io.microstore.store.Store;
import io.microstore.testing.EtcdCluster;
import io.microstore.testing.Eventually;
import io.microstore.testing.Stores;
import io.microstore.testing.TestClient;
import io.microstore.testing.TestClient.Res;
import io.microstore.testing.TestServer;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Concurrent clients over real HTTP record a history of GET, PUT, PUT If-Match, PUT If-None-Match: * and DELETE
 * on a few keys, and {@link Checker} decides whether it is linearizable: on the local engine, and on two
 * instances of the etcd engine over a real 3-member cluster whose leader is killed in the middle, and on the real
 * jar on a data directory killed with SIGKILL and restarted.
 *
 * <p>Reads in cluster mode: a plain GET reads the instance's own index, which may lag writes made through the
 * other instance, so it is linearizable only for keys written through that instance alone. Unless
 * {@link #CONSISTENT_READS} is on, every key but one therefore has a home instance through which all its
 * operations go (reads included), and the one shared key is written through both instances, read by nobody (its
 * conditional writes still observe it). With {@link #CONSISTENT_READS} on, every operation on every key picks
 * either instance and reads ask {@code ?consistent}.
 */
@Timeout(120)
class LinearizabilityIT {
    /** Read with {@code GET ...?consistent} from any instance, instead of plain GETs from each key's home. */
    static final boolean CONSISTENT_READS = Boolean.getBoolean("microstore.lin.consistent-reads");

    private static final int CLIENTS = 8;
    private static final int KEYS = 5;
    private static final int MIN_OPS = 300;
    /**
     * Where a recording ends once its faults are done. Not a limit on the clients while faults are still to come: a
     * fast machine reached it before the second kill -9, and the fault then found no client left to see it.
     */
    private static final int MAX_OPS = 5_000;
    /** Operations the clients make before each fault and after it: the faults come in the middle of a history. */
    private static final int OPS_PER_PHASE = 150;

    @TempDir
    Path dir;

    @Test
    void theLocalEngineIsLinearizable() throws Exception {
        try (Store store = Stores.memory();
                TestServer server = TestServer.start(store)) {
            Run run = new Run(List.of(server.http()), false, "lin-");
            run.record(Duration.ofSeconds(6), null);
            run.checkLinearizable("local engine");
        }
    }

    /**
     * The real jar on a data directory (fsync always) is killed with SIGKILL twice while the clients run, and
     * restarted on the same directory and port: every write it acknowledged must still be there, and every write
     * whose answer was lost with the process counts as unknown (it may or may not have been made durable).
     */
    @Test
    void theLocalEngineIsLinearizableAcrossKill9Restarts() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String[] args = {"--data", dir.resolve("data").toString(), "--port", Integer.toString(port)};
        AtomicReference<ChildServer> child = new AtomicReference<>(ChildServer.start(List.of(), args));
        try {
            Run run = new Run(List.of(new TestClient(port)), false, "lin-");
            run.record(Duration.ofSeconds(8), () -> {
                for (int kill = 1; kill <= 2; kill++) {
                    run.awaitMoreOps(OPS_PER_PHASE);
                    // counted before the kill: a client refused during it waits for the server to listen again,
                    // so when every client is refused before a count read after the kill, none is refused again
                    int refused = run.history.refusedCount();
                    child.get().kill9();
                    run.event("kill -9 number " + kill);
                    Eventually.await("a client finds the server down", () -> run.history.refusedCount() > refused);
                    child.set(ChildServer.start(List.of(), args));
                    run.event("restarted");
                }
                run.awaitMoreOps(OPS_PER_PHASE); // reads after the last restart see what it kept
                return null;
            });
            run.checkLinearizable("local engine across kill -9");
            assertTrue(run.history.refusedCount() > 0, "no client saw the server down: " + run.history.summary());
        } finally {
            child.get().close();
        }
    }

    @Test
    void twoEtcdInstancesAreLinearizableAcrossALeaderKill() throws Exception {
        try (EtcdCluster cluster = EtcdCluster.start(dir)) {
            List<Store> stores = new ArrayList<>();
            List<TestServer> servers = new ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) {
                    GatewayClient client =
                            new GatewayClient(cluster.endpoints(), Duration.ofMillis(500), Duration.ofSeconds(3));
                    stores.add(Store.open(new EtcdEngine(client, "/lin/", EtcdConfig.DEFAULTS), Stores.FEED));
                    servers.add(TestServer.start(stores.getLast()));
                }
                Run run = new Run(servers.stream().map(TestServer::http).toList(), true, "lin-");
                run.record(Duration.ofSeconds(10), () -> {
                    run.awaitMoreOps(OPS_PER_PHASE);
                    int leader = cluster.awaitLeader(Duration.ofSeconds(5));
                    cluster.kill(leader);
                    run.event("killed etcd member " + leader + " (the leader)");
                    // the two members left elect a leader and the clients go on without the killed one
                    run.event("member " + cluster.awaitLeader(Duration.ofSeconds(30)) + " leads");
                    run.awaitMoreOps(OPS_PER_PHASE);
                    cluster.restart(leader);
                    run.event("restarted member " + leader);
                    return null;
                });
                run.checkLinearizable("etcd engine, 2 instances" + (CONSISTENT_READS ? ", ?consistent reads" : ""));
            } finally {
                servers.forEach(TestServer::close);
                stores.forEach(Store::close);
            }
        }
    }

    /** One recording: clients, keys, the history, and what went unexpectedly. */
    private static final class Run {
        final List<TestClient> instances;
        final boolean cluster;
        final String prefix;
        final History history = new History();
        final AtomicInteger ops = new AtomicInteger();
        final Queue<String> unexpected = new ConcurrentLinkedQueue<>();
        final Queue<String> events = new ConcurrentLinkedQueue<>();
        final long start = System.nanoTime();
        volatile boolean stop;

        Run(List<TestClient> instances, boolean cluster, String prefix) {
            this.instances = instances;
            this.cluster = cluster;
            this.prefix = prefix;
        }

        /** Notes a fault with its time, for the output and a failing history's dump. */
        void event(String what) {
            String line = millis(System.nanoTime()) + " ms: " + what;
            events.add(line);
            System.out.println(line);
        }

        String millis(long nanos) {
            return nanos == Op.NEVER ? "never" : Long.toString((nanos - start) / 1_000_000);
        }

        String key(int k) {
            return prefix + k;
        }

        /** The home instance of key {@code k}, or -1 when any instance may serve it. */
        int home(int k) {
            if (!cluster || CONSISTENT_READS || k == KEYS - 1) {
                return -1;
            }
            return k % instances.size();
        }

        /** Whether key {@code k} is read (the shared key of a cluster run without consistent reads is not). */
        boolean readable(int k) {
            return !cluster || CONSISTENT_READS || k != KEYS - 1;
        }

        void record(Duration duration, java.util.concurrent.Callable<Void> meanwhile) throws Exception {
            ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
            try {
                List<Future<?>> clients = new ArrayList<>();
                for (int p = 0; p < CLIENTS; p++) {
                    int process = p;
                    clients.add(pool.submit(() -> client(process)));
                }
                if (meanwhile != null) {
                    meanwhile.call();
                }
                // at least MIN_OPS (a loaded machine is slow), at most three times as long
                long end = start + 3 * duration.toNanos();
                Eventually.within(
                        Duration.ofNanos(Math.max(0, end - System.nanoTime())),
                        () -> ops.get() >= MAX_OPS
                                || System.nanoTime() - start >= duration.toNanos() && ops.get() >= MIN_OPS);
                stop = true;
                for (Future<?> f : clients) {
                    f.get();
                }
            } finally {
                stop = true;
                pool.shutdownNow();
            }
            System.out.println("recorded in " + (System.nanoTime() - start) / 1_000_000 + " ms: " + history.summary());
        }

        /** Waits until the clients have made {@code more} operations beyond those made so far. */
        void awaitMoreOps(int more) throws InterruptedException {
            int target = ops.get() + more;
            Eventually.await(more + " more operations", () -> ops.get() >= target || stop);
        }

        void checkLinearizable(String what) {
            Checker.Result result = new Checker(200_000_000, Duration.ofSeconds(25)).check(history);
            System.out.println(what + ": " + history.summary() + " -> " + result);
            assertTrue(unexpected.isEmpty(), "unexpected answers: " + unexpected);
            assertTrue(history.ops().size() >= 100, "too few operations: " + history.summary());
            if (result.verdict() != Checker.Verdict.LINEARIZABLE) {
                dump(what, result);
            }
            assertEquals(Checker.Verdict.LINEARIZABLE, result.verdict(), () -> what + ": " + result);
            plantAStaleRead(what);
        }

        /** Prints the faults and every operation on the keys that failed, with invoke and return times. */
        private void dump(String what, Checker.Result result) {
            System.out.println("history of " + what + " (ms since the start; faults first):");
            events.forEach(e -> System.out.println("  " + e));
            for (Op op : history.ops()) {
                if (result.keys().get(op.key()) != Checker.Verdict.LINEARIZABLE) {
                    System.out.println("  " + millis(op.invoke()) + ".." + millis(op.complete()) + " " + op.describe());
                }
            }
        }

        /**
         * The same history with one made-up read at the end that returns a value overwritten by a later
         * acknowledged write (one invoked after it was acknowledged): the checker must refuse it.
         */
        private void plantAStaleRead(String what) {
            List<Op> ops = history.ops();
            long end = ops.stream()
                    .mapToLong(o -> o.status() == Op.Status.UNKNOWN ? o.invoke() : o.complete())
                    .max()
                    .orElseThrow();
            for (Op old : ops) {
                boolean stored = old.status() == Op.Status.OK && old.value() != null;
                if (stored
                        && ops.stream()
                                .anyMatch(o -> o.key().equals(old.key())
                                        && o.status() == Op.Status.OK
                                        && o.value() != null
                                        && o.invoke() > old.complete())) {
                    List<Op> planted = new ArrayList<>(ops);
                    planted.add(new Op(
                            Integer.MAX_VALUE,
                            99,
                            old.key(),
                            Kind.READ,
                            null,
                            Op.NO_ETAG,
                            end + 1,
                            end + 2,
                            Op.Status.OK,
                            old.value(),
                            old.outEtag()));
                    Checker.Result result = new Checker(200_000_000, Duration.ofSeconds(25)).check(planted);
                    System.out.println(what + ", with a planted stale read: " + result);
                    assertEquals(Checker.Verdict.NOT_LINEARIZABLE, result.verdict(), result::toString);
                    return;
                }
            }
            throw new AssertionError("no overwritten acknowledged write to plant a stale read of");
        }

        private void client(int process) {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            Map<String, Long> etags = new HashMap<>(); // the last ETag this client saw per key
            int n = 0;
            while (!stop) { // record() says when: after the faults, at MAX_OPS or its duration
                ops.incrementAndGet();
                int k = random.nextInt(KEYS);
                String key = key(k);
                TestClient http = instances.get(home(k) >= 0 ? home(k) : random.nextInt(instances.size()));
                String value = "p" + process + "-" + n++;
                int dice = random.nextInt(100);
                if (dice < 40 && readable(k)) {
                    read(process, http, key, etags);
                } else if (dice < 60) {
                    write(process, http, key, Kind.WRITE, value, Op.NO_ETAG, etags);
                } else if (dice < 85) {
                    long known = etags.getOrDefault(key, Op.NO_ETAG);
                    if (known == Op.NO_ETAG) {
                        write(process, http, key, Kind.CREATE, value, Op.NO_ETAG, etags);
                    } else {
                        write(process, http, key, Kind.CAS, value, known, etags);
                    }
                } else if (dice < 90) {
                    write(process, http, key, Kind.CREATE, value, Op.NO_ETAG, etags);
                } else if (dice < 95) {
                    write(process, http, key, Kind.DELETE, null, Op.NO_ETAG, etags);
                } else {
                    write(process, http, key, Kind.DELETE, null, etags.getOrDefault(key, 1L), etags);
                }
            }
        }

        private void read(int process, TestClient http, String key, Map<String, Long> etags) {
            History.Pending op = history.invoke(process, key, Kind.READ, null, Op.NO_ETAG);
            Res res;
            try {
                res = http.get(TestClient.app(key) + (CONSISTENT_READS ? "?consistent" : ""));
            } catch (UncheckedIOException e) {
                if (!refusedConnection(e, op, http)) {
                    history.unknown(op);
                }
                return;
            }
            switch (res.status()) {
                case 200 -> {
                    JsonObject body = res.json().asJsonObject();
                    long etag = TestClient.seq(res.header("ETag"));
                    history.ok(op, body.getString("data"), etag);
                    etags.put(key, etag);
                }
                case 404 -> {
                    history.ok(op, null, Op.NO_ETAG);
                    etags.remove(key);
                }
                case 503 -> history.refused(op);
                default -> {
                    unexpected.add(res.describe());
                    history.unknown(op);
                }
            }
        }

        /**
         * A refused connection (the server is down) means the request was never sent: the operation did not
         * happen. Anything else lost after connecting (a reset, an EOF) may have been applied: unknown.
         */
        private boolean refusedConnection(UncheckedIOException e, History.Pending op, TestClient http) {
            if (!(e.getCause() instanceof ConnectException)) {
                return false;
            }
            history.refused(op);
            ops.decrementAndGet(); // not a try: the budget is for operations the server saw
            try { // until it listens again, rather than a refused connection after another
                Eventually.await("the server listens again", () -> stop || listening(http));
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
            return true;
        }

        /** Whether the server of {@code http} accepts a connection now. */
        private static boolean listening(TestClient http) {
            try (Socket socket = new Socket("127.0.0.1", http.port())) {
                return socket.isConnected();
            } catch (IOException e) {
                return false;
            }
        }

        private void write(
                int process,
                TestClient http,
                String key,
                Kind kind,
                String value,
                long ifMatch,
                Map<String, Long> etags) {
            List<String> headers = new ArrayList<>();
            if (ifMatch != Op.NO_ETAG) {
                headers.addAll(List.of("If-Match", TestClient.etag(ifMatch)));
            }
            if (kind == Kind.CREATE) {
                headers.addAll(List.of("If-None-Match", "*"));
            }
            String[] h = headers.toArray(String[]::new);
            History.Pending op = history.invoke(process, key, kind, value, ifMatch);
            Res res;
            try {
                res = kind == Kind.DELETE ? http.delete(key, h) : http.putApp(key, TestClient.quote(value), h);
            } catch (UncheckedIOException e) {
                if (!refusedConnection(e, op, http)) {
                    history.unknown(op); // sent, and no answer: it may or may not have been applied
                    etags.remove(key);
                }
                return;
            }
            switch (res.status()) {
                case 204 -> {
                    if (kind == Kind.DELETE) {
                        history.ok(op, null, Op.NO_ETAG);
                        etags.remove(key);
                    } else {
                        long etag = TestClient.seq(res.header("ETag"));
                        history.ok(op, null, etag);
                        etags.put(key, etag);
                    }
                }
                case 412 -> {
                    if (kind == Kind.CAS || kind == Kind.CREATE || kind == Kind.DELETE && ifMatch != Op.NO_ETAG) {
                        history.fail(op);
                    } else {
                        unexpected.add(res.describe());
                        history.unknown(op);
                    }
                }
                case 503 -> {
                    if (res.text().contains("may or may not")) {
                        history.unknown(op);
                        etags.remove(key);
                    } else {
                        history.refused(op);
                    }
                }
                default -> {
                    unexpected.add(res.describe());
                    history.unknown(op);
                }
            }
        }
    }
}
