package io.microstore.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import io.microstore.etcd.gateway.EtcdAccess;
import io.microstore.etcd.gateway.EtcdException;
import io.microstore.etcd.gateway.GatewayClient;

/**
 * A real 3-member etcd cluster on 127.0.0.1, run by {@code scripts/etcd-cluster.sh}: started in a
 * directory the caller owns, on a random base port in 30000-39000 (client ports base+1..3, peer ports
 * base+11..13). {@link #close()} stops every member, and a shutdown hook does it if the test cannot.
 */
public final class EtcdCluster implements AutoCloseable {
    private static final Path SCRIPT =
            Path.of(System.getProperty("basedir", ".")).resolve("scripts/etcd-cluster.sh");
    private static final int ATTEMPTS = 3;

    private final Path dir;
    private final List<URI> endpoints;
    private final EtcdAccess access;
    private final Thread hook;
    private boolean closed;

    private EtcdCluster(Path dir, List<URI> endpoints, EtcdAccess access) {
        this.dir = dir;
        this.endpoints = endpoints;
        this.access = access;
        this.hook = new Thread(this::stopQuietly, "etcd-cluster-stop");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Starts the cluster under {@code dir} and waits until every member is healthy. */
    public static EtcdCluster start(Path dir) throws IOException, InterruptedException {
        return start(dir, List.of());
    }

    /**
     * Starts the cluster in its TLS + auth mode ({@code etcd-cluster.sh --secure}): https with client
     * certificates of its own CA, etcd's auth on, and the user {@code microstore} whose role may read and
     * write {@code prefix} only; simple tokens live {@code tokenTtlSeconds} unused.
     */
    public static EtcdCluster startSecure(Path dir, String prefix, int tokenTtlSeconds)
            throws IOException, InterruptedException {
        return start(dir, List.of("--secure", prefix, Integer.toString(tokenTtlSeconds)));
    }

    private static EtcdCluster start(Path dir, List<String> options) throws IOException, InterruptedException {
        String failures = "";
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            Path attemptDir = dir.resolve("cluster-" + attempt);
            int base = freeBase();
            List<String> args = new ArrayList<>(List.of("start", attemptDir.toString(), Integer.toString(base)));
            args.addAll(options);
            Result result = run(Duration.ofSeconds(60), args.toArray(String[]::new));
            if (result.status == 0) {
                EtcdAccess access = options.isEmpty()
                        ? EtcdAccess.NONE
                        : new EtcdAccess(
                                Optional.of(Pki.context(
                                        attemptDir.resolve("tls/ca.pem"),
                                        attemptDir.resolve("tls/microstore.pem"),
                                        attemptDir.resolve("tls/microstore-key.pem"))),
                                Optional.of("microstore"),
                                Files.readString(attemptDir.resolve("microstore.password"))
                                        .strip());
                return new EtcdCluster(attemptDir, GatewayClient.endpoints(result.lastLine()), access);
            }
            run(Duration.ofSeconds(20), "stop", attemptDir.toString()); // whatever did start
            failures += "\nattempt " + attempt + " on base port " + base + ":\n" + result.output;
        }
        throw new IOException("etcd cluster did not start:" + failures);
    }

    /** A base port whose six ports are free right now (a race with other processes remains: start retries). */
    private static int freeBase() {
        while (true) {
            int base = ThreadLocalRandom.current().nextInt(30000, 39000);
            if (free(base + 1, base + 2, base + 3, base + 11, base + 12, base + 13)) {
                return base;
            }
        }
    }

    private static boolean free(int... ports) {
        for (int port : ports) {
            try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                socket.setReuseAddress(true);
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }

    /** The members' client URLs; member {@code i} (1..3) is at index {@code i - 1}. */
    public List<URI> endpoints() {
        return endpoints;
    }

    /** How to reach the members: nothing, or (secure) TLS with microstore's certificate and user. */
    public EtcdAccess access() {
        return access;
    }

    /**
     * A secure cluster's files: {@code tls/ca.pem}, {@code tls/microstore.pem}, {@code
     * tls/microstore-key.pem}, {@code microstore.password}, {@code etcdctl.sh} (etcdctl as root).
     */
    public Path file(String name) {
        return dir.resolve(name);
    }

    /** etcdctl as root on a secure cluster: its exit status and output. */
    public Result etcdctl(String... args) throws IOException, InterruptedException {
        return exec(Duration.ofSeconds(30), dir.resolve("etcdctl.sh").toString(), args);
    }

    /** The member (1..3) that reports itself leader, or 0 when none does right now. */
    public int leader() {
        try (GatewayClient client =
                new GatewayClient(endpoints, Duration.ofMillis(300), Duration.ofSeconds(1), access)) {
            for (int i = 0; i < endpoints.size(); i++) {
                try {
                    if (client.status(i).isLeader()) {
                        return i + 1;
                    }
                } catch (EtcdException e) {
                    // down or unreachable: not the leader
                }
            }
        }
        return 0;
    }

    /** Waits up to {@code timeout} for a leader; returns it (1..3). */
    public int awaitLeader(Duration timeout) throws InterruptedException {
        return Eventually.await("an etcd leader", timeout, this::leader, leader -> leader != 0);
    }

    /** SIGKILLs member {@code member} (1..3). */
    public void kill(int member) throws IOException, InterruptedException {
        check(run(Duration.ofSeconds(20), "kill", dir.toString(), Integer.toString(member)));
    }

    /** SIGSTOPs member {@code member} (1..3): its connections stay open but it answers nothing. */
    public void pause(int member) throws IOException, InterruptedException {
        signal(member, "-STOP");
    }

    /** SIGCONTs a paused member. */
    public void resume(int member) throws IOException, InterruptedException {
        signal(member, "-CONT");
    }

    private void signal(int member, String signal) throws IOException, InterruptedException {
        String pid = java.nio.file.Files.readString(dir.resolve("m" + member + ".pid"))
                .trim();
        Process p = new ProcessBuilder("kill", signal, pid).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IOException("kill " + signal + " " + pid + " failed");
        }
    }

    /** Starts member {@code member} again on its data dir and waits until it is healthy. */
    public void restart(int member) throws IOException, InterruptedException {
        check(run(Duration.ofSeconds(40), "restart", dir.toString(), Integer.toString(member)));
    }

    /** Stops every member (SIGTERM, SIGKILL after 5 s). */
    @Override
    public synchronized void close() throws IOException, InterruptedException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs anyway
        }
        check(run(Duration.ofSeconds(30), "stop", dir.toString()));
    }

    private synchronized void stopQuietly() {
        if (!closed) {
            closed = true;
            try {
                run(Duration.ofSeconds(30), "stop", dir.toString());
            } catch (IOException | InterruptedException e) {
                System.err.println("stopping etcd in " + dir + " failed: " + e);
            }
        }
    }

    private static void check(Result result) throws IOException {
        if (result.status != 0) {
            throw new IOException("etcd-cluster.sh failed (" + result.status + "):\n" + result.output);
        }
    }

    /** A command's exit status and output. */
    public record Result(int status, String output) {
        String lastLine() {
            String[] lines = output.strip().split("\n");
            return lines[lines.length - 1];
        }
    }

    private static Result run(Duration timeout, String... args) throws IOException, InterruptedException {
        return exec(timeout, SCRIPT.toString(), args);
    }

    private static Result exec(Duration timeout, String script, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", script));
        command.addAll(List.of(args));
        Path log = Files.createTempFile("etcd-cluster", ".out");
        try {
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                return new Result(
                        -1, "timed out after " + timeout + ": " + Files.readString(log, StandardCharsets.UTF_8));
            }
            return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
