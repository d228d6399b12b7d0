package io.microstore.bench;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.microstore.store.Command;
import io.microstore.store.Precondition;
import io.microstore.store.Store;
import io.microstore.store.Transaction;
import io.microstore.testing.Eventually;
import io.microstore.testing.Stores;

/**
 * In-process cost of a PUT with no index and with three (/status, /priority, /created): 300k apps of the bench's
 * shape in a memory store, then 100k single PUTs replacing random apps (status and priority redrawn, created
 * kept), in passes alternating the two; no HTTP and no fsync, so the indexes' share of a write shows. Run with
 * {@code java -Xmx2g -cp ... io.microstore.bench.IndexedPutCost [passes]}; alternate builds to compare them.
 */
public final class IndexedPutCost {
    private static final int APPS = 300_000;
    private static final int PUTS = 100_000;
    private static final List<String> INDEXED = List.of("status", "priority", "created");

    private IndexedPutCost() {}

    private static byte[] doc(int i, Random r) {
        return ("{\"status\":\"s" + r.nextInt(10) + "\",\"priority\":" + r.nextInt(10) + ",\"created\":"
                        + (1700000000 + i) + ",\"tags\":[\"t" + (i % 7) + "\",\"t" + (i % 13) + "\"],\"owner\":\"user"
                        + (i % 1000) + "\"}")
                .getBytes(StandardCharsets.UTF_8);
    }

    public static void main(String[] args) throws Exception {
        int passes = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        for (int pass = 0; pass < passes; pass++) {
            for (int indexes : new int[] {0, INDEXED.size()}) {
                try (Store store = Stores.memory()) {
                    Random r = new Random(1);
                    List<Command> batch = new ArrayList<>();
                    for (int i = 1; i <= APPS; i++) {
                        batch.add(new Command.Put("q" + i, doc(i, r), Precondition.NONE));
                        if (batch.size() == 128 || i == APPS) {
                            store.execute(new Transaction(batch));
                            batch = new ArrayList<>();
                        }
                    }
                    if (indexes > 0) {
                        for (String p : INDEXED) {
                            store.indexes().define(p, List.of("/" + p));
                        }
                        for (String p : INDEXED) {
                            Eventually.await(
                                    "index " + p + " ready",
                                    () -> store.indexes().get(p).state().equals("ready"));
                        }
                    }
                    System.gc();
                    long start = System.nanoTime();
                    for (int i = 0; i < PUTS; i++) {
                        int k = 1 + r.nextInt(APPS);
                        store.execute(new Command.Put("q" + k, doc(k, r), Precondition.NONE));
                    }
                    long took = System.nanoTime() - start;
                    System.out.printf("pass %d, %d indexes: %d ns per PUT%n", pass, indexes, took / PUTS);
                }
            }
        }
    }
}
