package io.microstore.store;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.microstore.testing.Stores;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A PUT to an app that a large commit wrote (an import is one commit of all its apps) while that commit is in
 * the changes feed's window: the feed counts the replaced value as held by the window, and must do so
 * without a walk of the commit's changes, which cost a walk of every imported app per PUT (about 1 ms of
 * CPU per PUT after an import of 1M apps, a tenth of the PUTs a store of 1k apps serves).
 */
class LargeCommitPutTest {
    private static final int APPS = 200_000;
    private static final int PUTS = 4001;

    @Test
    void aPutToAnAppOfALargeCommitCostsAboutWhatAPutToAnAppWrittenInASmallOneCosts() {
        Store large = Stores.memory();
        Store small = Stores.memory();
        try {
            fill(large, APPS); // one commit
            fill(small, 128); // commits of 128 apps
            long[] largeTimes = new long[PUTS];
            long[] smallTimes = new long[PUTS];
            byte[] value = bytes("{\"n\":2}");
            for (int i = 0; i < PUTS; i++) {
                // every app replaced here is still at the commit that wrote it, in the window
                long t0 = System.nanoTime();
                large.execute(new Command.Put("a" + i, value, Precondition.NONE));
                long t1 = System.nanoTime();
                small.execute(new Command.Put("a" + i, value, Precondition.NONE));
                long t2 = System.nanoTime();
                largeTimes[i] = t1 - t0;
                smallTimes[i] = t2 - t1;
            }
            Arrays.sort(largeTimes);
            Arrays.sort(smallTimes);
            // a walk of 200k changes takes about 200 µs; a PUT in memory a few µs
            assertThat(
                    "median PUT after one commit of " + APPS + " apps / after commits of 128 (" + largeTimes[PUTS / 2]
                            + " / " + smallTimes[PUTS / 2] + " ns)",
                    (double) largeTimes[PUTS / 2] / smallTimes[PUTS / 2],
                    lessThan(4.0));
        } finally {
            large.close();
            small.close();
        }
    }

    @Test
    void replacingAppsOfOneCommitCountsEachReplacedValueOnceAsTheFeedsToHold() {
        Store store = Stores.memory();
        try {
            store.execute(new Transaction(List.of(
                    new Command.Put("a", bytes("{\"v\":1}"), Precondition.NONE),
                    new Command.Put("b", bytes("{\"v\":\"longer value\"}"), Precondition.NONE),
                    new Command.Put("c", bytes("{\"v\":\"c\"}"), Precondition.NONE))));
            store.execute(new Command.Put("alone", bytes("{\"v\":22}"), Precondition.NONE));
            long before = store.feedBytes();
            store.execute(new Command.Put("alone", bytes("[]"), Precondition.NONE));
            long overhead = store.feedBytes() - before - "{\"v\":22}".length();

            before = store.feedBytes();
            store.execute(new Command.Put("b", bytes("{}"), Precondition.NONE));
            assertEquals("{\"v\":\"longer value\"}".length() + overhead, store.feedBytes() - before);
            before = store.feedBytes();
            store.execute(new Command.Put("a", bytes("{}"), Precondition.NONE));
            assertEquals("{\"v\":1}".length() + overhead, store.feedBytes() - before);
            before = store.feedBytes();
            store.execute(new Command.Put("a", bytes("[]"), Precondition.NONE)); // the single write of just before
            assertEquals(2 + overhead, store.feedBytes() - before);
            // a delete: what deleting an app written alone adds beyond its value (the delete's own change too)
            before = store.feedBytes();
            store.execute(new Command.Delete("alone", Precondition.NONE));
            long deleteOverhead = store.feedBytes() - before - "[]".length();
            before = store.feedBytes();
            store.execute(new Command.Delete("c", Precondition.NONE));
            assertEquals("{\"v\":\"c\"}".length() + deleteOverhead, store.feedBytes() - before);
        } finally {
            store.close();
        }
    }

    /** Apps a0..a(APPS-1), {@code perCommit} to a commit. */
    private static void fill(Store s, int perCommit) {
        List<Command> batch = new ArrayList<>();
        for (int i = 0; i < APPS; i++) {
            batch.add(new Command.Put("a" + i, bytes("{\"n\":" + i + "}"), Precondition.NONE));
            if (batch.size() == perCommit || i == APPS - 1) {
                s.execute(new Transaction(batch));
                batch = new ArrayList<>();
            }
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
