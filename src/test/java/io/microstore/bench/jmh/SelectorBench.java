package io.microstore.bench.jmh;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import io.microstore.json.CompactJson;
import io.microstore.store.query.Order;
import io.microstore.store.query.Selector;
import io.microstore.store.query.SortKey;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * JMH (run by {@code make jmh}): what an unindexed scan costs per app: {@link Selector#matches} of a typical
 * selector (a string equality and a number range) and of an {@code $or} over an array, and {@link Order#key}, on
 * 4096 small compact documents of about 100 bytes, one per call in turn. The inverse of the time is the apps per
 * second one core examines.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class SelectorBench {
    private static final int DOCS = 4096; // a power of two

    private final byte[][] docs = new byte[DOCS][];
    private Selector typical;
    private Selector tags;
    private Order order;
    private int next;

    @Setup(Level.Trial)
    public void fill() {
        Random random = new Random(1);
        String[] statuses = {"open", "closed", "pending"};
        for (int i = 0; i < DOCS; i++) {
            String doc = "{\"status\":\"" + statuses[random.nextInt(3)] + "\",\"priority\":" + random.nextInt(5)
                    + ",\"owner\":\"user" + random.nextInt(100) + "\",\"tags\":[\"a\",\"b"
                    + random.nextInt(10) + "\"],\"created\":" + (1_700_000_000 + i) + "}";
            docs[i] = CompactJson.compact(doc.getBytes(StandardCharsets.UTF_8));
        }
        typical = Selector.parse(
                "{\"/status\": \"open\", \"/priority\": {\"$gte\": 2}}".getBytes(StandardCharsets.UTF_8));
        tags = Selector.parse("{\"$or\": [{\"/tags\": {\"$contains\": \"b3\"}}, {\"/owner\": {\"$exists\": false}}]}"
                .getBytes(StandardCharsets.UTF_8));
        order = Order.parse("/priority,-/created");
    }

    private byte[] doc() {
        return docs[next++ & (DOCS - 1)];
    }

    @Benchmark
    public boolean matchTypical() {
        return typical.matches(doc());
    }

    @Benchmark
    public boolean matchContainsOrMissing() {
        return tags.matches(doc());
    }

    @Benchmark
    public SortKey sortKey() {
        return order.key(doc());
    }
}
