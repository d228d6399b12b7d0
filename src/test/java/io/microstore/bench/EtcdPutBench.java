package io.microstore.bench;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

import io.microstore.etcd.gateway.EtcdException;
import io.microstore.etcd.gateway.GatewayClient;
import io.microstore.etcd.gateway.RequestOp;

/**
 * Puts of 60-byte values through {@link GatewayClient}, from N virtual threads for S seconds; prints
 * puts/s and latency percentiles. Usage: {@code EtcdPutBench ENDPOINTS CONCURRENCY SECONDS}, e.g. against
 * {@code scripts/etcd-cluster.sh start DIR BASE}.
 */
public final class EtcdPutBench {
    private EtcdPutBench() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: EtcdPutBench http://127.0.0.1:P1,... CONCURRENCY SECONDS");
            System.exit(2);
        }
        int concurrency = Integer.parseInt(args[1]);
        long nanos = Long.parseLong(args[2]) * 1_000_000_000L;
        byte[] value = "{\"data\":{\"color\":\"teal\",\"size\":42,\"tags\":[\"a\",\"b\"]},\"n\":1}"
                .getBytes(StandardCharsets.UTF_8);
        value = Arrays.copyOf(value, 60);
        byte[] finalValue = value;
        AtomicLong failures = new AtomicLong();
        long[][] latencies = new long[concurrency][];
        int[] counts = new int[concurrency];
        try (GatewayClient client = GatewayClient.of(GatewayClient.endpoints(args[0]))) {
            System.out.println(
                    "etcd " + client.status().version() + ", " + concurrency + " concurrent, " + args[2] + " s");
            warmUp(client, finalValue);
            long start = System.nanoTime();
            long end = start + nanos;
            try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int t = 0; t < concurrency; t++) {
                    int worker = t;
                    threads.submit(() -> {
                        long[] mine = new long[1 << 16];
                        int n = 0;
                        while (System.nanoTime() < end) {
                            byte[] key = ("/bench/" + worker + "/" + (n % 1000)).getBytes(StandardCharsets.UTF_8);
                            long t0 = System.nanoTime();
                            try {
                                client.txn(List.of(), List.of(RequestOp.put(key, finalValue)), List.of());
                            } catch (EtcdException e) {
                                failures.incrementAndGet();
                                continue;
                            }
                            if (n == mine.length) {
                                mine = Arrays.copyOf(mine, n * 2);
                            }
                            mine[n++] = System.nanoTime() - t0;
                        }
                        latencies[worker] = mine;
                        counts[worker] = n;
                    });
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long[] all = new long[Arrays.stream(counts).sum()];
            int at = 0;
            for (int t = 0; t < concurrency; t++) {
                System.arraycopy(latencies[t], 0, all, at, counts[t]);
                at += counts[t];
            }
            Arrays.sort(all);
            System.out.printf(
                    "%d puts in %.1f s: %.0f puts/s, p50 %.2f ms, p99 %.2f ms, max %.2f ms, %d failed%n",
                    all.length,
                    seconds,
                    all.length / seconds,
                    ms(all, 0.50),
                    ms(all, 0.99),
                    ms(all, 1.0),
                    failures.get());
        }
    }

    private static void warmUp(GatewayClient client, byte[] value) throws EtcdException {
        for (int i = 0; i < 200; i++) {
            client.txn(
                    List.of(),
                    List.of(RequestOp.put(("/bench/warm/" + i).getBytes(StandardCharsets.UTF_8), value)),
                    List.of());
        }
    }

    private static double ms(long[] sorted, double quantile) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1);
        return sorted[Math.max(0, index)] / 1e6;
    }
}
