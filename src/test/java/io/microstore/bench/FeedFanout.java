package io.microstore.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import io.microstore.testing.Eventually;
import io.microstore.testing.SseStream;

/**
 * Fan-out of the changes feed (a measurement, not a test): one writer PUTs at a steady rate while K
 * SSE subscribers follow {@code /api/changes}; K steps up until subscribers fail or the last step.
 * Per step it reports the subscribers held, the writes/s achieved, the writer's PUT latency, and the
 * delay from each PUT's 204 (when the writer has read the response) to the matching event at every
 * subscriber: median, p99 and max ("early" counts events that arrived before the writer had read
 * the 204 of their PUT; their delays are negative and count as such). Run against a server started separately (its URL is the last
 * argument; {@code make feed-bench} does both):
 *
 * <pre>java -cp 'target/test-classes:target/classes:target/libs/*' [-Dsteps=100,500,...] [-Drate=20]
 *     [-Dmeasure=5] io.microstore.bench.FeedFanout http://127.0.0.1:8080</pre>
 *
 * The server needs {@code store.changes.max-subscribers} above the largest step, and both processes
 * a file descriptor limit above it.
 */
public final class FeedFanout {
    private static final String PREFIX = "fanout/";
    private static final int MAX_WRITES = 1 << 20;

    private final URI base;
    private final int rate;
    private final Duration measure;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    /** When the writer read the 204 of seq {@code firstSeq + i}, in nanoTime; 0 until then. */
    private final AtomicLongArray acked = new AtomicLongArray(MAX_WRITES);

    private final ConcurrentLinkedQueue<Long> putNanos = new ConcurrentLinkedQueue<>();
    private final List<Subscriber> subscribers = new ArrayList<>();
    private volatile long firstSeq;
    private volatile long lastAcked;
    private volatile Window window = new Window(Long.MAX_VALUE, Long.MAX_VALUE);
    private volatile boolean stopping;

    /** The seqs whose delays count for the current step. */
    private record Window(long from, long to) {
        boolean contains(long seq) {
            return seq >= from && seq <= to;
        }
    }

    private FeedFanout(URI base, int rate, Duration measure) {
        this.base = base;
        this.rate = rate;
        this.measure = measure;
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println(
                    "usage: FeedFanout [-Dsteps=100,500,1000,2000,5000,10000] [-Drate=20] [-Dmeasure=5] URL");
            System.exit(2);
        }
        int[] steps = Arrays.stream(System.getProperty("steps", "100,500,1000,2000,5000,10000")
                        .split(","))
                .mapToInt(s -> Integer.parseInt(s.trim()))
                .toArray();
        FeedFanout bench = new FeedFanout(
                URI.create(args[args.length - 1]),
                Integer.getInteger("rate", 20),
                Duration.ofSeconds(Integer.getInteger("measure", 5)));
        System.exit(bench.run(steps));
    }

    private int run(int[] steps) throws Exception {
        System.out.printf(
                "feed fan-out against %s: one writer at %d PUT/s to %s*, SSE subscribers on prefix %s, %d s per step%n",
                base, rate, PREFIX, PREFIX, measure.toSeconds());
        System.out.printf(
                "%8s %8s %9s %9s %9s %9s %9s %11s %11s %11s %8s%n",
                "K",
                "held",
                "complete",
                "writes/s",
                "PUT p50",
                "PUT p99",
                "events",
                "delay p50",
                "delay p99",
                "delay max",
                "early");
        firstSeq = lastSeq() + 1;
        ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "writer"));
        AtomicLong writes = new AtomicLong();
        // at rate per second, on time or as soon as the previous one is answered (a fixed rate catches up)
        writer.scheduleAtFixedRate(
                () -> write(writes.getAndIncrement()), 0, 1_000_000_000L / rate, TimeUnit.NANOSECONDS);
        try (ExecutorService connectors = Executors.newFixedThreadPool(32)) {
            for (int k : steps) {
                int failed = connect(connectors, k - subscribers.size());
                long written = lastAcked;
                Eventually.within(
                        Duration.ofSeconds(20),
                        () -> subscribers.stream()
                                .allMatch(s ->
                                        !s.alive || s.lastSeq >= written)); // every stream has caught up, or is late
                if (!measure(k, failed)) {
                    break;
                }
            }
        } finally {
            stopping = true;
            writer.shutdownNow();
            writer.awaitTermination(30, TimeUnit.SECONDS);
            subscribers.forEach(s -> s.stream.close());
        }
        return 0;
    }

    /** Opens {@code n} more subscribers; returns how many could not subscribe. */
    private int connect(ExecutorService connectors, int n) throws Exception {
        List<Future<Subscriber>> opening = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            opening.add(connectors.submit(() -> {
                SseStream stream = SseStream.open(base, "/api/changes?prefix=" + PREFIX, 0, 120_000);
                if (stream.status() != 200) {
                    String body = stream.readBody();
                    stream.close();
                    throw new IOException("HTTP " + stream.status() + " " + body);
                }
                stream.next(); // the greeting: subscribed
                return new Subscriber(stream);
            }));
        }
        int failed = 0;
        String firstFailure = null;
        for (Future<Subscriber> f : opening) {
            try {
                Subscriber s = f.get();
                subscribers.add(s);
                Thread.ofVirtual().start(s::read);
            } catch (Exception e) {
                failed++;
                firstFailure = firstFailure == null ? String.valueOf(e.getCause()) : firstFailure;
            }
        }
        if (failed > 0) {
            System.out.printf("  %d of %d new subscribers failed to subscribe, e.g. %s%n", failed, n, firstFailure);
        }
        return failed;
    }

    /** One step: the delays of the writes committed during {@code measure}. False when it is time to stop. */
    private boolean measure(int k, int failed) throws InterruptedException {
        // The window starts half a second of writes ahead: an event can reach a subscriber before the
        // writer has read the 204 of its PUT, so a window starting at the next write could miss it.
        long from = lastAcked + Math.max(2, rate / 2) + 1;
        window = new Window(from, Long.MAX_VALUE);
        Eventually.await("the writer reaches seq " + from, Duration.ofSeconds(60), () -> lastAcked >= from);
        putNanos.clear();
        Thread.sleep(measure.toMillis()); // the measurement window: its length is what the step measures over
        long to = lastAcked;
        double seconds = (acked.get((int) (to - firstSeq)) - acked.get((int) (from - firstSeq))) / 1e9;
        window = new Window(from, to);
        long[] puts = putNanos.stream().mapToLong(Long::longValue).sorted().toArray();
        Eventually.within(Duration.ofSeconds(20), () -> subscribers.stream().noneMatch(s -> s.alive && s.lastSeq < to));
        int held = 0;
        int complete = 0;
        int early = 0;
        long count = to - from + 1;
        List<long[]> all = new ArrayList<>();
        for (Subscriber s : subscribers) {
            long[] delays = s.takeDelays(from, to);
            if (s.alive) {
                held++;
            }
            if (delays.length == count) {
                complete++;
            }
            early += (int) Arrays.stream(delays).filter(d -> d < 0).count();
            all.add(delays);
        }
        long[] delays = all.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        System.out.printf(
                "%8d %8d %9d %9.1f %9s %9s %9d %11s %11s %11s %8d%n",
                k,
                held,
                complete,
                (count - 1) / seconds,
                ms(puts, 0.5),
                ms(puts, 0.99),
                delays.length,
                ms(delays, 0.5),
                ms(delays, 0.99),
                ms(delays, 1.0),
                early);
        int dead = subscribers.size() - held;
        if (failed > 0 || dead > 0 || complete < held) {
            System.out.printf(
                    "  stopping: %d failed to subscribe, %d streams ended or failed (e.g. %s), "
                            + "%d of %d held did not get every write within 20 s%n",
                    failed,
                    dead,
                    subscribers.stream()
                            .filter(s -> !s.alive)
                            .map(s -> s.failure)
                            .findFirst()
                            .orElse("-"),
                    held - complete,
                    held);
            return false;
        }
        return true;
    }

    private static String ms(long[] sortedNanos, double quantile) {
        if (sortedNanos.length == 0) {
            return "-";
        }
        int i = (int) Math.min(sortedNanos.length - 1, Math.ceil(quantile * sortedNanos.length) - 1);
        return String.format("%.1f ms", sortedNanos[Math.max(0, i)] / 1e6);
    }

    /** The writer's {@code i}th PUT; run at {@code rate} per second. */
    private void write(long i) {
        if (stopping) {
            return;
        }
        long start = System.nanoTime();
        try {
            URI uri = URI.create(base + "/api/apps/" + PREFIX + "k" + (i % 100));
            HttpResponse<String> res = http.send(
                    HttpRequest.newBuilder(uri)
                            .header("Content-Type", "application/json")
                            .PUT(HttpRequest.BodyPublishers.ofString("{\"data\":{\"i\":" + i + "}}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            long now = System.nanoTime();
            if (res.statusCode() != 204) {
                System.out.println("  writer: HTTP " + res.statusCode() + " " + res.body());
                return;
            }
            long seq = Long.parseLong(
                    res.headers().firstValue("ETag").orElseThrow().replace("\"", ""));
            acked.set((int) (seq - firstSeq), now);
            lastAcked = seq;
            putNanos.add(now - start);
        } catch (IOException e) {
            System.out.println("  writer: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private long lastSeq() throws IOException, InterruptedException {
        String body = http.send(
                        HttpRequest.newBuilder(URI.create(base + "/api/changes"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        return Long.parseLong(body.replaceAll(".*\"last_seq\":(\\d+).*", "$1").trim());
    }

    /** One SSE stream: notes when each event of the current window arrives. */
    private final class Subscriber {
        final SseStream stream;
        volatile boolean alive = true;
        volatile long lastSeq;
        volatile String failure;
        /** Pairs of (seq, arrival nanoTime) for seqs in the window; guarded by this. */
        private long[] arrivals = new long[64];

        private int size;

        Subscriber(SseStream stream) {
            this.stream = stream;
        }

        void read() {
            try {
                SseStream.Event e;
                while ((e = stream.next()) != null) {
                    if (e.isComment()) {
                        continue;
                    }
                    if ("reset".equals(e.event())) {
                        failure = "event: reset";
                        break;
                    }
                    long now = System.nanoTime();
                    long seq = e.seq();
                    if (window.contains(seq)) {
                        note(seq, now);
                    }
                    lastSeq = seq;
                }
                if (failure == null) {
                    failure = "the stream ended";
                }
            } catch (IOException | RuntimeException ex) {
                failure = stopping ? null : ex.toString();
            } finally {
                alive = false;
            }
        }

        private synchronized void note(long seq, long nanos) {
            if (size + 2 > arrivals.length) {
                arrivals = Arrays.copyOf(arrivals, arrivals.length * 2);
            }
            arrivals[size++] = seq;
            arrivals[size++] = nanos;
        }

        /** Delays (arrival minus the writer's 204) of this window's events, and forget them. */
        synchronized long[] takeDelays(long from, long to) {
            long[] delays = new long[size / 2];
            int n = 0;
            for (int i = 0; i < size; i += 2) {
                long seq = arrivals[i];
                long ack = seq >= from && seq <= to ? acked.get((int) (seq - firstSeq)) : 0;
                if (ack != 0) {
                    delays[n++] = arrivals[i + 1] - ack;
                }
            }
            size = 0;
            return Arrays.copyOf(delays, n);
        }
    }
}
