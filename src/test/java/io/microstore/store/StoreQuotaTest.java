package io.microstore.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import io.microstore.local.LocalEngine;
import io.microstore.persist.JournalPersistence;
import io.microstore.persist.MemoryPersistence;
import io.microstore.testing.Stores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The store's accounting for the memory quota: what the index counts per app, what the changes feed
 * holds beyond it and gives up, refusals before anything is written, concurrent writers, and a restart
 * from a journal that holds far more than the quota in overwritten values.
 */
class StoreQuotaTest {
    private static final long LIMIT = 10_000;

    private static byte[] bytes(int n) {
        byte[] value = ("\"" + "x".repeat(n - 2) + "\"").getBytes(StandardCharsets.UTF_8);
        return value;
    }

    private static Command put(String name, byte[] data) {
        return new Command.Put(name, data, Precondition.NONE);
    }

    private static Store memory(long limit) throws IOException {
        return Store.open(new LocalEngine(new MemoryPersistence(), Stores.LOCAL), Stores.FEED, limit);
    }

    @Test
    void theAppsCountTheirValuesNamesAndTheOverheadAndADeleteGivesItBack() throws IOException {
        try (Store store = memory(LIMIT)) {
            store.execute(put("a", bytes(100)));
            assertThat(store.usedBytes(), is(Index.APP_OVERHEAD + 1 + 100));
            store.execute(put("bb", bytes(50)));
            store.execute(put("a", bytes(10))); // replaced: only the value's size changes
            assertThat(store.usedBytes(), is(2 * Index.APP_OVERHEAD + 3 + 60));
            store.execute(new Command.Delete("a", Precondition.NONE));
            assertThat(store.usedBytes(), is(Index.APP_OVERHEAD + 2 + 50));
            assertThat(store.maxBytes(), is(LIMIT));
        }
    }

    @Test
    void aPutOverTheQuotaIsRefusedBeforeItIsWritten() throws IOException {
        try (Store store = memory(LIMIT)) {
            store.execute(put("a", bytes(6_000)));
            long seq = store.lastSeq();
            QuotaExceeded refused = assertThrows(QuotaExceeded.class, () -> store.execute(put("b", bytes(4_000))));
            assertThat(refused.limit(), is(LIMIT));
            assertThat(refused.used(), is(store.usedBytes()));
            assertThat(store.get("b"), is((Entry) null));
            assertThat(store.lastSeq(), is(seq));
            store.execute(put("a", bytes(9_000))); // growing an app by what fits is fine
        }
    }

    @Test
    void aPatchIsCheckedOnItsComputedValue() throws IOException {
        try (Store store = memory(LIMIT)) {
            store.execute(put("a", bytes(100)));
            Command grow = new Command.Patch("a", (name, current) -> bytes(LIMIT_BYTES), Precondition.NONE);
            assertThrows(QuotaExceeded.class, () -> store.execute(grow));
            assertThat(store.get("a").data().length, is(100));
            Command shrink = new Command.Patch("a", (name, current) -> bytes(50), Precondition.NONE);
            store.execute(shrink);
            assertThat(store.get("a").data().length, is(50));
        }
    }

    private static final int LIMIT_BYTES = (int) LIMIT;

    @Test
    void concurrentPutsReserveTheirRoomSoTogetherTheyStayWithinTheQuota() throws Exception {
        try (Store store = memory(LIMIT)) {
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> writers = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                String name = "w" + i;
                writers.add(Thread.ofVirtual().start(() -> {
                    try {
                        go.await();
                        store.execute(put(name, bytes(1_000)));
                    } catch (QuotaExceeded | InterruptedException e) {
                        // refused: the others took the room
                    }
                }));
            }
            go.countDown();
            for (Thread writer : writers) {
                writer.join();
            }
            assertThat(store.usedBytes(), lessThanOrEqualTo(LIMIT));
            // A write that committed still holds its reservation until its future completes, so a racing
            // writer may be refused early; once all are done every reservation is given back: the room
            // left takes exactly what fits.
            for (int i = 0; ; i++) {
                try {
                    store.execute(put("s" + i, bytes(1_000)));
                } catch (QuotaExceeded e) {
                    break;
                }
            }
            assertThat(store.size(), is((int) (LIMIT / (Index.APP_OVERHEAD + 3 + 1_000)))); // 8 of 2-3 char names
        }
    }

    @Test
    void theFeedKeepsOverwrittenValuesOnlyInTheRoomTheAppsLeave() throws IOException {
        try (Store store = memory(LIMIT)) {
            store.execute(put("a", bytes(2_000)));
            long first = store.lastSeq();
            store.execute(put("a", bytes(2_000))); // the first value is now the feed's alone
            assertThat(store.feedBytes(), greaterThan(2_000L));
            store.feed().read(first - 1, 10, ""); // still in the window

            store.execute(put("b", bytes(7_000))); // the apps need that room: the oldest change goes
            assertThat(store.usedBytes() + store.feedBytes(), lessThanOrEqualTo(LIMIT));
            assertThrows(FeedGone.class, () -> store.feed().read(first - 1, 10, ""));

            store.execute(new Command.Delete("b", Precondition.NONE)); // the deleted value counts in the feed
            assertThat(store.usedBytes() + store.feedBytes(), lessThanOrEqualTo(LIMIT));
            store.execute(put("c", bytes(7_000))); // and gives way at once
            assertThat(store.usedBytes() + store.feedBytes(), lessThanOrEqualTo(LIMIT));
        }
    }

    @Test
    void aValueOverwrittenInTheSameBatchCountsAsTheFeedsAlone() throws IOException {
        try (Store store = memory(LIMIT)) {
            List<Object> results = store.executeAll(List.of(put("a", bytes(1_000)), put("a", bytes(500))));
            assertThat(results.get(1), instanceOf(Outcome.class));
            assertThat(store.usedBytes(), is(Index.APP_OVERHEAD + 1 + 500));
            assertThat(store.feedBytes(), greaterThan(1_000L)); // the first value, plus its record
            assertThat(store.feedBytes(), lessThanOrEqualTo(1_200L));
        }
    }

    @Test
    void aJournalOfManyOverwritesStartsAgainWithinTheQuota(@TempDir Path dir) throws IOException {
        long used;
        try (Store store = Store.open(
                new LocalEngine(JournalPersistence.open(Stores.journal(dir)), Stores.LOCAL), Stores.FEED, LIMIT)) {
            for (int i = 0; i < 50; i++) { // 50 x 3,000 bytes through three apps: 15 times the quota
                store.execute(put("app" + (i % 3), bytes(3_000)));
            }
            used = store.usedBytes();
            assertThat(used + store.feedBytes(), lessThanOrEqualTo(LIMIT));
        }
        try (Store again = Store.open(
                new LocalEngine(JournalPersistence.open(Stores.journal(dir)), Stores.LOCAL), Stores.FEED, LIMIT)) {
            assertThat(again.size(), is(3));
            assertThat(again.usedBytes(), is(used));
            assertThat(again.usedBytes() + again.feedBytes(), lessThanOrEqualTo(LIMIT)); // the replay was trimmed too
            assertThat(again.get("app1").data().length, is(3_000));
        }
    }

    @Test
    void aStoreOverALoweredQuotaStartsServesAndTakesDeletes(@TempDir Path dir) throws IOException {
        try (Store store = Store.open(
                new LocalEngine(JournalPersistence.open(Stores.journal(dir)), Stores.LOCAL), Stores.FEED, LIMIT)) {
            store.execute(put("a", bytes(4_000)));
            store.execute(put("b", bytes(4_000)));
        }
        try (Store lowered = Store.open(
                new LocalEngine(JournalPersistence.open(Stores.journal(dir)), Stores.LOCAL), Stores.FEED, 5_000)) {
            assertThat(lowered.usedBytes(), greaterThan(5_000L));
            assertThat(lowered.feedBytes(), is(0L));
            assertThat(lowered.get("a").data().length, is(4_000));
            assertThrows(QuotaExceeded.class, () -> lowered.execute(put("c", bytes(10))));
            lowered.execute(new Command.Delete("a", Precondition.NONE));
            lowered.execute(put("c", bytes(10)));
            assertThat(lowered.usedBytes(), lessThanOrEqualTo(5_000L));
        }
    }
}
