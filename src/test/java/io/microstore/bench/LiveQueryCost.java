package io.microstore.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.microstore.commit.Change;
import io.microstore.commit.Commit;
import io.microstore.json.CompactJson;
import io.microstore.store.Entry;
import io.microstore.store.feed.ChangeFeed;
import io.microstore.store.feed.FeedConfig;
import io.microstore.store.query.Selector;

/**
 * What a write costs the changes feed with 0, 1 and 1,000 live queries that cannot match it (a measurement, not
 * a test), in CPU time rather than wall time, so that it means something on a shared, loaded machine: the writing
 * thread's (the commit handed over with its prior) plus the feed dispatcher's (looking at it for the live queries),
 * per write, over batches of 64 writes as group commit hands them over (the dispatcher may take several at once,
 * as it does in a store). Keyed queries ({@code {"/owner":
 * "nobody<k>"}}) are filed by their equality and should cost what one costs; unkeyed ones ({@code {"/priority":
 * {"$gt": ...}}}) are woken by every commit, for contrast.
 *
 * <pre>java -cp 'target/test-classes:target/classes:target/libs/*' io.microstore.bench.LiveQueryCost [writes]</pre>
 */
public final class LiveQueryCost {
    private static final int APPS = 1024;
    private static final int BATCH = 64;

    public static void main(String[] args) throws Exception {
        int writes = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        System.out.printf("%-8s %8s %14s %14s%n", "queries", "keyed", "writer ns/w", "dispatch ns/w");
        for (int round = 0; round < 2; round++) { // the first round warms up
            for (boolean keyed : new boolean[] {true, false}) {
                for (int queries : new int[] {0, 1, 1000}) {
                    long[] ns = run(cpu, writes, queries, keyed);
                    if (round == 1) {
                        System.out.printf(
                                "%-8d %8s %14.0f %14.0f%n",
                                queries, keyed, ns[0] / (double) writes, ns[1] / (double) writes);
                    }
                }
            }
        }
    }

    /** {writer CPU ns, dispatcher CPU ns} for {@code writes} writes. */
    private static long[] run(ThreadMXBean cpu, int writes, int queries, boolean keyed) throws Exception {
        byte[][] docs = new byte[APPS][];
        for (int i = 0; i < APPS; i++) {
            docs[i] = CompactJson.compact(("{\"status\":\"open\",\"priority\":" + (i % 5) + ",\"owner\":\"user"
                            + (i % 100) + "\",\"tags\":[\"a\",\"b\"],\"created\":" + (1_700_000_000 + i) + "}")
                    .getBytes(StandardCharsets.UTF_8));
        }
        try (ChangeFeed feed = new ChangeFeed(new FeedConfig(100_000, 64L << 20, 2000, Duration.ofSeconds(15)))) {
            feed.loaded(0);
            Thread dispatcher = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals("microstore-feed") && t.isAlive())
                    .reduce((a, b) -> a.threadId() > b.threadId() ? a : b)
                    .orElseThrow();
            List<ChangeFeed.Waiter> waiters = new ArrayList<>();
            for (int k = 0; k < queries; k++) {
                String where =
                        keyed ? "{\"/owner\": \"nobody" + k + "\"}" : "{\"/priority\": {\"$gt\": " + (100 + k) + "}}";
                waiters.add(feed.subscribe(Selector.parse(where.getBytes(StandardCharsets.UTF_8))));
            }
            Entry[] current = new Entry[APPS];
            long dispatchBefore = cpu.getThreadCpuTime(dispatcher.threadId());
            long writer = 0;
            long seq = 0;
            while (seq < writes) {
                List<Commit> batch = new ArrayList<>(BATCH);
                List<Entry[]> priors = new ArrayList<>(BATCH);
                for (int i = 0; i < BATCH; i++) {
                    long s = ++seq;
                    int app = (int) (s % APPS);
                    batch.add(Commit.of(s, Change.put("app" + app, docs[app])));
                    priors.add(new Entry[] {current[app]});
                    current[app] = new Entry(docs[app], s, 0);
                }
                long before = cpu.getCurrentThreadCpuTime();
                feed.committed(batch, priors);
                writer += cpu.getCurrentThreadCpuTime() - before;
                // never so far ahead that commits leave the window before the dispatcher looked at them
                while (queries > 0 && seq - feed.dispatchedSeq() > 10_000) {
                    Thread.onSpinWait();
                }
            }
            while (queries > 0 && feed.dispatchedSeq() < seq) {
                Thread.onSpinWait();
            }
            long dispatch = cpu.getThreadCpuTime(dispatcher.threadId()) - dispatchBefore;
            waiters.forEach(ChangeFeed.Waiter::close);
            return new long[] {writer, dispatch};
        }
    }
}
