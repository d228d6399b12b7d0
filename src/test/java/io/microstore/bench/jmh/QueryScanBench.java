package io.microstore.bench.jmh;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import io.microstore.commit.Commit;
import io.microstore.commit.CommitStream;
import io.microstore.json.CompactJson;
import io.microstore.persist.Persistence;
import io.microstore.store.Query;
import io.microstore.store.QueryPage;
import io.microstore.store.Store;
import io.microstore.store.query.Order;
import io.microstore.store.query.Selector;
import io.microstore.testing.Stores;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * JMH (run by {@code make jmh}): the unindexed scan rate, the goal of at least 5M apps examined per second on one
 * core. 1M apps in memory like those of the query load test ({@code scripts/bench-query.sh}:
 * {@code {"status":"s<0..9>","priority":<0..9>,"created":<int>,"tags":[...],"owner":"user<n>"}}, about 110 bytes),
 * and selectors that test one path, each matching 10% of them:
 *
 * <ul>
 *   <li>{@code storeCount}: {@link Store#query} with {@code count=exact} and a 1-row page in name order and a budget
 *       above 1M, i.e. the walk of the name index and the selector on every app, as {@code GET
 *       /api/apps?where=...&count=exact&limit=1} does without the HTTP part;
 *   <li>{@code matchString}, {@code matchNumber}: {@link Selector#matches} alone over the same documents held in an
 *       array (a string equality on {@code /status}, a number equality on {@code /priority}).
 * </ul>
 *
 * Each operation examines every app once ({@code @OperationsPerInvocation(APPS)}), so the score is the time per app
 * examined: its inverse is the apps per second one thread examines.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class QueryScanBench {
    static final int APPS = 1_000_000;

    private final byte[][] docs = new byte[APPS][];
    private Store store;
    private Query count;
    private Selector status;
    private Selector priority;

    @Setup(Level.Trial)
    public void fill() throws IOException {
        for (int i = 0; i < APPS; i++) {
            docs[i] = doc(i);
        }
        store = Stores.open(
                new Persistence() {
                    @Override
                    public long load(CommitStream sink) {
                        for (int i = 0; i < APPS; i++) {
                            sink.restore(String.format("q%07d", i), docs[i], i + 1, 0);
                        }
                        return APPS;
                    }

                    @Override
                    public void append(Commit commit) {}

                    @Override
                    public void write() {}

                    @Override
                    public void sync() {}

                    @Override
                    public String describe() {
                        return "QueryScanBench";
                    }

                    @Override
                    public void close() {}
                },
                Stores.LOCAL);
        status = Selector.parse("{\"/status\": \"s3\"}".getBytes(StandardCharsets.UTF_8));
        priority = Selector.parse("{\"/priority\": 7}".getBytes(StandardCharsets.UTF_8));
        count = new Query("", status, Order.byName(), null, null, 1, true);
        QueryPage page = store.query(count, APPS + 1L);
        if (page.total() != APPS / 10 || matching(priority) != APPS / 10) {
            throw new IllegalStateException("the data is not what the benchmark expects: " + page.total());
        }
    }

    /** The documents of scripts/bench-query.sh, generated the same way (the same shape and spread of values). */
    static byte[] doc(int i) {
        String json = "{\"status\":\"s" + (i % 10) + "\",\"priority\":" + (i / 10 % 10) + ",\"created\":"
                + (1_700_000_000 + i) + ",\"tags\":[\"t" + (i % 7) + "\",\"t" + (i % 13) + "\"],\"owner\":\"user"
                + (i % 1000) + "\"}";
        return CompactJson.compact(json.getBytes(StandardCharsets.UTF_8));
    }

    @TearDown(Level.Trial)
    public void close() {
        store.close();
    }

    private int matching(Selector s) {
        int n = 0;
        for (byte[] d : docs) {
            if (s.matches(d)) {
                n++;
            }
        }
        return n;
    }

    @Benchmark
    @OperationsPerInvocation(APPS)
    public long storeCount() {
        return store.query(count, APPS + 1L).total();
    }

    @Benchmark
    @OperationsPerInvocation(APPS)
    public int matchString() {
        return matching(status);
    }

    @Benchmark
    @OperationsPerInvocation(APPS)
    public int matchNumber() {
        return matching(priority);
    }
}
