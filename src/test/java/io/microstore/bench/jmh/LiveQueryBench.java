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
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * JMH (run by {@code make jmh}): what one write costs the changes feed with {@code queries} live queries
 * registered that cannot match it: the commit handed to the feed (with its prior value) and, with any live query,
 * until the feed's dispatcher has looked at it for them ({@link ChangeFeed#dispatchedSeq}), in batches of 64. Keyed queries
 * ({@code {"/owner": "nobody<k>"}}, values no write has) are filed by their equality: the cost should stay that
 * of one query however many there are. Unkeyed ones ({@code {"/priority": {"$gt": 100 + k}}}) are woken by
 * every write, for contrast: their cost grows with their number.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class LiveQueryBench {
    private static final int APPS = 1024; // a power of two
    /**
     * Writes per batch: the engine hands the feed a batch per group commit, and one wake-up of the dispatcher per
     * batch keeps the thread hand-off (tens of microseconds on a VM) from hiding the per-write cost.
     */
    private static final int BATCH = 64;

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

    /** A batch of {@link #BATCH} writes (one commit each), as the engine hands them over; the score is per write. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long write() {
        List<Commit> batch = new ArrayList<>(BATCH);
        List<Entry[]> priors = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++) {
            long s = ++seq;
            int app = (int) (s & (APPS - 1));
            batch.add(Commit.of(s, Change.put("app" + app, docs[app])));
            priors.add(new Entry[] {current[app]});
            current[app] = new Entry(docs[app], s, 0);
        }
        feed.committed(batch, priors);
        if (queries > 0) { // the dispatcher's part: it has looked at every write of the batch
            while (feed.dispatchedSeq() < seq) {
                Thread.onSpinWait();
            }
        }
        return seq;
    }
}
