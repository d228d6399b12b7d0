package io.microstore.bench.jmh;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import io.microstore.commit.Commit;
import io.microstore.commit.CommitStream;
import io.microstore.persist.Persistence;
import io.microstore.store.Entry;
import io.microstore.store.Page;
import io.microstore.store.Store;
import io.microstore.testing.Stores;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * JMH (run by {@code make jmh}): reads of the committed index through {@link Store} with {@code entries} apps named
 * {@code apps/0000000}, {@code apps/0000001}, ... — {@code get} of a present and of an absent name
 * (both at random positions, from 4096 names picked in advance, as fresh String objects like a request
 * gives), and {@code list("apps/", after, 100)} from a random name, i.e. one page of 100.
 *
 * <p>The index is filled through the public API: a {@link Store} opened on a persistence whose
 * {@code load} restores the entries, as a snapshot would, so no production code is opened up.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class IndexBench {
    @Param({"1000", "1000000"})
    public int entries;

    private static final int KEYS = 4096; // a power of two
    private static final String PREFIX = "apps/";

    private Store store;
    private final String[] present = new String[KEYS];
    private final String[] absent = new String[KEYS];
    private final String[] after = new String[KEYS];
    private int next;

    @Setup(Level.Trial)
    public void fill() throws IOException {
        byte[] data = "{\"n\":1,\"s\":\"some small value\",\"ok\":true}".getBytes(StandardCharsets.UTF_8);
        int n = entries;
        store = Stores.open(
                new Persistence() {
                    @Override
                    public long load(CommitStream sink) {
                        for (int i = 0; i < n; i++) {
                            sink.restore(name(i), data, i + 1, 0);
                        }
                        return n;
                    }

                    @Override
                    public void append(Commit commit) {}

                    @Override
                    public void write() {}

                    @Override
                    public void sync() {}

                    @Override
                    public String describe() {
                        return "IndexBench";
                    }

                    @Override
                    public void close() {}
                },
                Stores.LOCAL);
        Random random = new Random(42);
        for (int k = 0; k < KEYS; k++) {
            present[k] = name(random.nextInt(n)); // a new String, not the map's own instance
            absent[k] = name(random.nextInt(n)) + "-gone"; // sorts right after a present name
            after[k] = name(random.nextInt(Math.max(1, n - 200)));
        }
        if (store.size() != n
                || store.get(present[0]) == null
                || store.get(absent[0]) != null
                || store.list(PREFIX, after[0], 100).items().size() != 100) {
            throw new IllegalStateException("the index is not what the benchmark expects");
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        store.close();
    }

    private static String name(int i) {
        return PREFIX + String.format("%07d", i);
    }

    @Benchmark
    public Entry getHit() {
        return store.get(present[next++ & (KEYS - 1)]);
    }

    @Benchmark
    public Entry getMiss() {
        return store.get(absent[next++ & (KEYS - 1)]);
    }

    @Benchmark
    public Page list() {
        return store.list(PREFIX, after[next++ & (KEYS - 1)], 100);
    }
}
