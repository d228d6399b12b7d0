package io.microstore.api.access;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.InstantSource;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.LongAdder;

import io.helidon.http.HttpException;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.microstore.api.Route;
import io.microstore.api.wire.PercentDecoder;
import io.microstore.json.JsonWriter;

/**
 * {@code security.audit-log}: one JSON line per {@code /api} request (and per request anywhere answered
 * 401, 403 or 429), once it is answered: when, from which client address, with which key id (never a
 * secret: the id is all the request context holds), the method, the route and the app or index it names,
 * the decision and the status. Lines go to a file, appended, or to standard output ({@code -}; the logs
 * are on standard error).
 *
 * <p>The request's thread only puts its line in a bounded queue; one writer thread writes what is queued
 * and flushes it to the operating system after each batch, with no fsync (a crash of the machine, not of
 * microstore, may lose the last lines). A full queue (the disk slower than the requests) drops the line
 * and counts it ({@link #dropped}) rather than slow the requests down; so does a failed write.
 */
public final class AuditLog implements Filter {
    private static final System.Logger LOG = System.getLogger(AuditLog.class.getName());
    /** Lines waiting for the writer: a few seconds of a busy server's requests, a few MiB at most. */
    private static final int QUEUE = 16_384;
    /** What an unknown path, or a name, is cut to in a line: enough to recognise it, not a way to fill the disk. */
    private static final int MAX_TEXT = 1024;

    private static final byte[] STOP = new byte[0];
    private static final byte[] NULL = "null".getBytes(StandardCharsets.US_ASCII);

    private final OutputStream out;
    private final boolean closeOut;
    private final ClientAddress clients;
    private final InstantSource clock;
    private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(QUEUE);
    private final LongAdder dropped = new LongAdder();
    private final Thread writer;

    private AuditLog(OutputStream out, boolean closeOut, ClientAddress clients, InstantSource clock) {
        this.out = out;
        this.closeOut = closeOut;
        this.clients = clients;
        this.clock = clock;
        this.writer = Thread.ofPlatform().name("microstore-audit").daemon(true).start(this::write);
    }

    /**
     * The audit log to {@code target}: {@code -} for standard output, else a file, created if need be and
     * appended to (so logrotate's {@code copytruncate} works). Throws UncheckedIOException when the file
     * cannot be opened, so that a server does not start without the audit log it was told to keep.
     */
    public static AuditLog open(String target, ClientAddress clients, InstantSource clock) {
        if (target.equals("-")) {
            return new AuditLog(System.out, false, clients, clock);
        }
        try {
            OutputStream file = Files.newOutputStream(
                    Path.of(target), StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
            return new AuditLog(file, true, clients, clock);
        } catch (IOException e) {
            throw new UncheckedIOException("security.audit-log " + target + " cannot be opened: " + e, e);
        }
    }

    /** Lines lost since start: the queue was full, or writing failed. */
    public long dropped() {
        return dropped.sum();
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        long start = clock.millis();
        String path = req.path().rawPath(); // now: the routing makes it relative to the service it finds
        int status = 0;
        try {
            chain.proceed();
            status = res.status().code();
        } catch (HttpException e) {
            status = e.status().code();
            throw e;
        } catch (RuntimeException | Error e) {
            status = 500;
            throw e;
        } finally {
            if (path.equals(Route.API)
                    || path.startsWith(Route.API + "/")
                    || status == 401
                    || status == 403
                    || status == 429) {
                record(start, req, path, status);
            }
        }
    }

    private void record(long start, RoutingRequest req, String path, int status) {
        String client = clients.of(req).map(InetAddress::getHostAddress).orElse(null);
        String key = req.context().get(KeyAuth.KEY_ID, String.class).orElse(null);
        Route named = named(path);
        String route = named == null ? path : named.path();
        String name =
                named == null ? null : decoded(path.substring(named.mount().length() + 1));
        String method = req.prologue().method().text();
        byte[] line = JsonWriter.toBytes(256, json -> {
            json.beginObject()
                    .name("time")
                    .value(DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochMilli(start)))
                    .name("client");
            text(json, client);
            json.name("key");
            text(json, key);
            json.name("method").value(cut(method)).name("route").value(cut(route));
            if (name != null) {
                json.name("name").value(cut(name));
            }
            json.name("decision")
                    .value(decision(status))
                    .name("status")
                    .value(status)
                    .endObject()
                    .newLine();
        });
        if (!queue.offer(line)) {
            dropped.increment();
        }
    }

    /** The route of a path that names an app or an index, else null. */
    private static Route named(String path) {
        for (Route named : new Route[] {Route.APP, Route.INDEX}) {
            int from = named.mount().length() + 1;
            if (path.length() > from && path.startsWith(named.mount() + "/")) {
                return named;
            }
        }
        return null;
    }

    private static void text(JsonWriter json, String value) throws IOException {
        if (value == null) {
            json.raw(NULL);
        } else {
            json.value(cut(value));
        }
    }

    /** What the access decision was, as far as the status tells it: every refusal of access has its own. */
    static String decision(int status) {
        return switch (status) {
            case 401 -> "unauthenticated";
            case 403 -> "denied";
            case 429 -> "limited";
            default -> "allowed";
        };
    }

    /** The name a raw path segment spells, or the raw text when it spells none (the request got its 400). */
    private static String decoded(String raw) {
        try {
            return PercentDecoder.decode(raw);
        } catch (RuntimeException e) {
            return raw;
        }
    }

    private static String cut(String text) {
        return text.length() <= MAX_TEXT ? text : text.substring(0, MAX_TEXT) + "...";
    }

    private void write() {
        List<byte[]> batch = new ArrayList<>();
        boolean failing = false;
        while (true) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                return;
            }
            queue.drainTo(batch);
            boolean stop = false;
            try {
                for (byte[] line : batch) {
                    if (line == STOP) {
                        stop = true;
                        break;
                    }
                    out.write(line);
                }
                out.flush();
                if (failing) {
                    LOG.log(System.Logger.Level.INFO, "audit log: writing again");
                    failing = false;
                }
            } catch (IOException e) {
                dropped.add(batch.size());
                if (!failing) { // once per spell of failures, not once per line
                    LOG.log(System.Logger.Level.WARNING, "audit log: lines lost, cannot write: " + e);
                    failing = true;
                }
            }
            batch.clear();
            if (stop) {
                close();
                return;
            }
        }
    }

    private void close() {
        if (closeOut) {
            try {
                out.close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "audit log: cannot close: " + e);
            }
        }
    }

    /** The server stopped: the writer writes what is queued, closes the file and ends. */
    @Override
    public void afterStop() {
        try {
            queue.put(STOP);
            writer.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
