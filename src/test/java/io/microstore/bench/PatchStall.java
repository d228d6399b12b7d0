package io.microstore.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What a worst-case PATCH costs the other writers: an app of 40,000 members, and a JSON Patch of 10,000
 * {@code replace} operations on it (about 540 KB) sent again and again by one client, while another client
 * PUTs small values to other apps one after the other. Prints the other client's PUT latency (p50, p99,
 * max) first alone for S seconds, then with the patches for S seconds, and how long each patch took.
 * Usage: {@code PatchStall SECONDS http://127.0.0.1:PORT} (the order scripts/with-server.sh calls it in).
 */
public final class PatchStall {
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    private PatchStall() {}

    public static void main(String[] args) throws Exception {
        long seconds = Long.parseLong(args[0]);
        String base = args[1].endsWith("/") ? args[1].substring(0, args[1].length() - 1) : args[1];
        StringBuilder data = new StringBuilder("{\"data\":{");
        for (int i = 0; i < 40_000; i++) {
            data.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":").append(i);
        }
        send(
                base + "/api/apps/wide",
                "PUT",
                "application/json",
                data.append("}}").toString());
        StringBuilder patch = new StringBuilder("[");
        for (int i = 0; i < 10_000; i++) {
            patch.append(i == 0 ? "" : ",")
                    .append("{\"op\":\"replace\",\"path\":\"/data/k")
                    .append(i * 4)
                    .append("\",\"value\":")
                    .append(i)
                    .append("}");
        }
        String worstPatch = patch.append("]").toString();

        List<Long> alone = putFor(base, seconds);
        AtomicBoolean patching = new AtomicBoolean(true);
        List<Long> patches = Collections.synchronizedList(new ArrayList<>());
        Thread patcher = Thread.ofPlatform().start(() -> {
            while (patching.get()) {
                long start = System.nanoTime();
                send(base + "/api/apps/wide", "PATCH", "application/json-patch+json", worstPatch);
                patches.add(System.nanoTime() - start);
            }
        });
        List<Long> beside = putFor(base, seconds);
        patching.set(false);
        patcher.join();
        System.out.printf("PUT alone:               %s%n", summary(alone));
        System.out.printf("PUT beside worst PATCH:  %s%n", summary(beside));
        System.out.printf(
                "worst PATCH (10,000 ops on 40,000 members, %d KB): %s%n",
                worstPatch.length() / 1024, summary(new ArrayList<>(patches)));
    }

    /** Sequential small PUTs for {@code seconds}; their latencies. */
    private static List<Long> putFor(String base, long seconds) {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        List<Long> latencies = new ArrayList<>();
        for (int i = 0; System.nanoTime() < end; i++) {
            long start = System.nanoTime();
            send(base + "/api/apps/small-" + (i % 100), "PUT", "application/json", "{\"data\":{\"n\":" + i + "}}");
            latencies.add(System.nanoTime() - start);
        }
        return latencies;
    }

    private static void send(String url, String method, String type, String body) {
        HttpRequest req = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(120))
                .header("Content-Type", type)
                .method(method, HttpRequest.BodyPublishers.ofString(body))
                .build();
        try {
            int status = HTTP.send(req, HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status / 100 != 2) {
                throw new IllegalStateException(method + " " + url + " answered " + status);
            }
        } catch (java.io.IOException | InterruptedException e) {
            throw new IllegalStateException(method + " " + url + " failed", e);
        }
    }

    private static String summary(List<Long> nanos) {
        if (nanos.isEmpty()) {
            return "none";
        }
        List<Long> sorted = new ArrayList<>(nanos);
        Collections.sort(sorted);
        return String.format(
                "n %d  p50 %.2f ms  p99 %.2f ms  max %.2f ms",
                sorted.size(),
                sorted.get(sorted.size() / 2) / 1e6,
                sorted.get((int) (sorted.size() * 0.99)) / 1e6,
                sorted.getLast() / 1e6);
    }
}
