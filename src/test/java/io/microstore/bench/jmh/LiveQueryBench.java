package io.microstore.bench.jmh;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.microstore.commit.Change;
import io.microstore.commit.Commit;
import io.microstore.json.CompactJson;
import io.microstore.store.Entry;
import io.microstore.store.feed.ChangeFeed;
import io.microstore.store.feed.FeedConfig;
import io.microstore.store.query.Selector;
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
 * JMH (run by {@code make jmh}): what one write costs the changes feed with {@code queries} live queries
 * registered that cannot match it: the commit handed to the feed (with its prior value) and, with any live query,
 * until the feed's dispatcher has looked at it for them ({@link ChangeFeed#dispatchedSeq}). Keyed queries
 * ({@code {"/owner": "nobody<k>"}}, values no write has) are filed by their equality: the cost should stay that
 * of one query however many there are. Unkeyed ones ({@code {"/priority": {"$gt": 100 + k}}}) are woken by
 * every write, for contrast: their cost grows with their number.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class LiveQueryBench {
    private static final int APPS = 1024; // a power of two

    @Param({"0", "1", "1000"})
    public int queries;

    @Param({"true", "false"})
    public boolean keyed;

    private ChangeFeed feed;
    private final List<ChangeFeed.Waiter> waiters = new ArrayList<>();
    private final byte[][] docs = new byte[APPS][];
    private final Entry[] current = new Entry[APPS];
    private long seq;

    @Setup(Level.Trial)
    public void open() {
        feed = new ChangeFeed(new FeedConfig(100_000, 64L << 20, 2000, Duration.ofSeconds(15)));
        feed.loaded(0);
        for (int i = 0; i < APPS; i++) {
            docs[i] = CompactJson.compact(("{\"status\":\"open\",\"priority\":" + (i % 5) + ",\"owner\":\"user"
                            + (i % 100) + "\",\"tags\":[\"a\",\"b\"],\"created\":" + (1_700_000_000 + i) + "}")
                    .getBytes(StandardCharsets.UTF_8));
        }
        for (int k = 0; k < queries; k++) {
            String where =
                    keyed ? "{\"/owner\": \"nobody" + k + "\"}" : "{\"/priority\": {\"$gt\": " + (100 + k) + "}}";
            waiters.add(feed.subscribe(Selector.parse(where.getBytes(StandardCharsets.UTF_8))));
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        waiters.forEach(ChangeFeed.Waiter::close);
        feed.close();
    }

    @Benchmark
    public long write() {
        long s = ++seq;
        int app = (int) (s & (APPS - 1));
        Change change = Change.put("app" + app, docs[app]);
        Entry prior = current[app];
        current[app] = new Entry(docs[app], s, 0);
        feed.committed(List.of(Commit.of(s, change)), List.<Entry[]>of(new Entry[] {prior}));
        if (queries > 0) {
            while (feed.dispatchedSeq() < s) {
                Thread.onSpinWait();
            }
        }
        return s;
    }
}
