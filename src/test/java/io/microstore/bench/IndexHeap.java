package io.microstore.bench;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.microstore.store.Command;
import io.microstore.store.Precondition;
import io.microstore.store.Store;
import io.microstore.testing.Stores;

/**
 * Heap one secondary index takes per entry: heap after a full GC with {@code apps} apps (default 1M, each
 * {@code {"k": <i % 1000>, "s": "<i>"}}), then again once an index on {@code /k} is ready, and once one on
 * {@code /s} (a distinct string per app, so one counted group per app too) is. Run with
 * {@code java -Xmx4g -cp ... io.microstore.bench.IndexHeap [apps]}.
 */
public final class IndexHeap {
    private IndexHeap() {}

    public static void main(String[] args) throws Exception {
        int apps = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        try (Store store = Stores.memory()) {
            List<Command> batch = new ArrayList<>();
            for (int i = 0; i < apps; i++) {
                byte[] data = ("{\"k\":" + (i % 1000) + ",\"s\":\"" + i + "\"}").getBytes(StandardCharsets.UTF_8);
                batch.add(new Command.Put(String.format("app-%08d", i), data, Precondition.NONE));
                if (batch.size() == 4096) {
                    Stores.executeAll(store, batch);
                    batch.clear();
                }
            }
            Stores.executeAll(store, batch);
            long base = heap();
            System.out.printf("%d apps: %d MB%n", apps, base >> 20);
            long before = base;
            for (String path : List.of("/k", "/s")) {
                String id = path.substring(1);
                store.indexes().define(id, List.of(path));
                while (!store.indexes().get(id).state().equals("ready")) {
                    // polls the fact itself (the index's state): Indexes offers no wait for "ready", and this is a tool
                    Thread.sleep(50);
                }
                long after = heap();
                System.out.printf(
                        "index on %s: %d entries, %d bytes per entry%n",
                        path, store.indexes().get(id).entries(), (after - before) / apps);
                before = after;
            }
        }
    }

    private static long heap() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
            // the heap's size is only settled once reference processing is done; no JVM event says so
            Thread.sleep(200);
        }
        return rt.totalMemory() - rt.freeMemory();
    }
}
