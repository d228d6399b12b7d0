package io.microstore.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Watch lag between two microstore instances on one etcd cluster (scripts/bench-cluster.sh): an SSE stream
 * of {@code /api/changes} on instance B; N sequential PUTs through instance A, PAUSE ms apart; for each, the
 * time from A's acknowledgement to the event's arrival on B (negative: B had it before A answered) and from
 * sending the PUT to B. Prints {@code writes N seen S ack-to-B p50 X p99 Y max Z send-to-B p50 X p99 Y}.
 * Usage: {@code WatchLag http://A http://B N PAUSE_MS}.
 */
public final class WatchLag {
    private static final Pattern NAME = Pattern.compile("\"name\":\"lag-(\\d+)\"");

    private WatchLag() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: WatchLag http://A http://B WRITES PAUSE_MS");
            System.exit(2);
        }
        String a = trim(args[0]);
        String b = trim(args[1]);
        int n = Integer.parseInt(args[2]);
        long pause = Long.parseLong(args[3]);
        HttpClient http =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        ConcurrentHashMap<Integer, Long> seenAt = new ConcurrentHashMap<>();
        CountDownLatch open = new CountDownLatch(1);
        CountDownLatch all = new CountDownLatch(n);
        java.util.concurrent.atomic.AtomicBoolean finished = new java.util.concurrent.atomic.AtomicBoolean();
        Thread reader = Thread.ofPlatform().daemon().start(() -> {
            HttpRequest req = HttpRequest.newBuilder(URI.create(b + "/api/changes?prefix=lag-"))
                    .header("Accept", "text/event-stream")
                    .build();
            try {
                HttpResponse<Stream<String>> res = http.send(req, HttpResponse.BodyHandlers.ofLines());
                res.body().forEach(line -> {
                    if (line.startsWith(":")) {
                        open.countDown(); // the greeting (or a keep-alive): B writes it once the stream is subscribed
                    } else if (line.startsWith("data:") && line.contains("\"lag-")) {
                        long now = System.nanoTime();
                        Matcher m = NAME.matcher(line);
                        if (m.find()) {
                            Integer i = Integer.valueOf(m.group(1));
                            if (seenAt.putIfAbsent(i, now) == null) {
                                all.countDown();
                            }
                        }
                    }
                });
            } catch (Exception e) {
                if (!finished.get()) {
                    System.err.println("WatchLag: the stream on B failed: " + e);
                }
                open.countDown();
            }
        });
        if (!open.await(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("no SSE stream on " + b);
        }
        String body = "{\"data\":{\"n\":1,\"s\":\"some small value\"}}";
        long[] sent = new long[n];
        long[] acked = new long[n];
        AtomicInteger next = new AtomicInteger();
        CompletableFuture<Void> written = new CompletableFuture<>();
        ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor();
        // sequential PUTs, each PAUSE ms after the previous one was answered
        writer.scheduleWithFixedDelay(
                () -> {
                    int i = next.getAndIncrement();
                    if (i >= n) {
                        written.complete(null);
                        return;
                    }
                    try {
                        HttpRequest req = HttpRequest.newBuilder(URI.create(a + "/api/apps/lag-" + i))
                                .timeout(Duration.ofSeconds(10))
                                .header("Content-Type", "application/json")
                                .PUT(HttpRequest.BodyPublishers.ofString(body))
                                .build();
                        sent[i] = System.nanoTime();
                        int status = http.send(req, HttpResponse.BodyHandlers.discarding())
                                .statusCode();
                        acked[i] = System.nanoTime();
                        if (status / 100 != 2) {
                            throw new IllegalStateException("PUT lag-" + i + " answered " + status);
                        }
                    } catch (Exception e) {
                        written.completeExceptionally(e);
                    }
                },
                0,
                pause,
                TimeUnit.MILLISECONDS);
        try {
            written.get();
        } finally {
            writer.shutdownNow();
        }
        all.await(5, TimeUnit.SECONDS);
        finished.set(true);
        long[] fromAck = new long[seenAt.size()];
        long[] fromSend = new long[seenAt.size()];
        int k = 0;
        for (var e : seenAt.entrySet()) {
            int i = e.getKey();
            if (i < n && k < fromAck.length) {
                fromAck[k] = e.getValue() - acked[i];
                fromSend[k] = e.getValue() - sent[i];
                k++;
            }
        }
        fromAck = Arrays.copyOf(fromAck, k);
        fromSend = Arrays.copyOf(fromSend, k);
        Arrays.sort(fromAck);
        Arrays.sort(fromSend);
        System.out.printf(
                "writes %d seen %d ack-to-B p50 %.2f p99 %.2f max %.2f send-to-B p50 %.2f p99 %.2f%n",
                n, k, ms(fromAck, 0.5), ms(fromAck, 0.99), ms(fromAck, 1.0), ms(fromSend, 0.5), ms(fromSend, 0.99));
        reader.interrupt();
    }

    private static String trim(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    private static double ms(long[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
        return sorted[Math.max(0, index)] / 1e6;
    }
}
