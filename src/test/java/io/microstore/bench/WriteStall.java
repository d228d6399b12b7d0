package io.microstore.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A steady writer for the leader-kill test of {@code scripts/bench-cluster.sh}: sequential PUTs of small
 * values through one microstore instance for S seconds; records the longest gap between two consecutive
 * acknowledged (2xx) writes. Failed writes (a 5xx, a timeout) do not end a gap: only the next acknowledged
 * write does. Writes the file READY once its first write is acknowledged, so the caller knows when to kill.
 * Prints {@code acked N failed F max-gap-ms G gap-start-ms T slowest-failure-ms D status S} (T: from the
 * tool's start to the gap's start; D and S: the failed write that took longest, status 0 for no answer).
 * Usage: {@code WriteStall http://127.0.0.1:PORT SECONDS READY}.
 */
public final class WriteStall {
    private WriteStall() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: WriteStall http://127.0.0.1:PORT SECONDS READY-FILE");
            System.exit(2);
        }
        String base = args[0].endsWith("/") ? args[0].substring(0, args[0].length() - 1) : args[0];
        long end = System.nanoTime() + Long.parseLong(args[1]) * 1_000_000_000L;
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2))
                .build();
        String body = "{\"data\":{\"n\":1,\"s\":\"some small value\"}}";
        long start = System.nanoTime();
        long lastAck = -1;
        long maxGap = 0;
        long maxGapStart = 0;
        int acked = 0;
        int failed = 0;
        long slowestFailure = 0;
        int slowestFailureStatus = 0;
        String slowestFailureBody = "";
        for (int i = 0; System.nanoTime() < end; i++) {
            HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/api/apps/stall-" + (i % 100)))
                    .timeout(Duration.ofSeconds(15))
                    .header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString(body))
                    .build();
            int status;
            String answer;
            long sent = System.nanoTime();
            try {
                HttpResponse<String> res = http.send(req, HttpResponse.BodyHandlers.ofString());
                status = res.statusCode();
                answer = res.body();
            } catch (java.io.IOException e) {
                status = 0;
                answer = e.toString();
            }
            long now = System.nanoTime();
            if (status / 100 != 2) {
                failed++;
                if (now - sent > slowestFailure) {
                    slowestFailure = now - sent;
                    slowestFailureStatus = status;
                    slowestFailureBody = answer.length() > 300 ? answer.substring(0, 300) : answer;
                }
                continue;
            }
            if (lastAck < 0) {
                Files.writeString(Path.of(args[2]), "ready\n");
            } else if (now - lastAck > maxGap) {
                maxGap = now - lastAck;
                maxGapStart = lastAck - start;
            }
            lastAck = now;
            acked++;
        }
        System.out.printf(
                "acked %d failed %d max-gap-ms %.1f gap-start-ms %.0f slowest-failure-ms %.0f status %d%n",
                acked, failed, maxGap / 1e6, maxGapStart / 1e6, slowestFailure / 1e6, slowestFailureStatus);
        System.out.println("slowest failure: " + slowestFailureBody.replace('\n', ' '));
    }
}
