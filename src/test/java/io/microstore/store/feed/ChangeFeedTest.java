package io.microstore.store.feed;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.LongStream;

import io.helidon.health.HealthCheckResponse;
import io.microstore.commit.Change;
import io.microstore.commit.Commit;
import io.microstore.local.FsyncPolicy;
import io.microstore.local.LocalConfig;
import io.microstore.observe.StoreHealth;
import io.microstore.persist.JournalPersistence;
import io.microstore.store.Command;
import io.microstore.store.FeedBusy;
import io.microstore.store.FeedGone;
import io.microstore.store.Precondition;
import io.microstore.store.Store;
import io.microstore.store.StoreUnavailable;
import io.microstore.testing.Eventually;
import io.microstore.testing.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link ChangeFeed} on its own: the window, reads, waits, the subscriber cap and the rebuild at start. */
@Timeout(60)
class ChangeFeedTest {
    private static final Duration KEEP_ALIVE = Duration.ofSeconds(15);

    private final List<AutoCloseable> closeAfter = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closeAfter.reversed()) {
            c.close();
        }
    }

    /** A feed as a fresh empty store leaves it: loaded at seq 0. */
    private ChangeFeed feed(int retain, long retainBytes, int maxSubscribers) {
        ChangeFeed feed = new ChangeFeed(new FeedConfig(retain, retainBytes, maxSubscribers, KEEP_ALIVE));
        closeAfter.add(feed);
        feed.loaded(0);
        return feed;
    }

    /** The commit of a put whose value is {@code bytes} long: a digit, or a string of x. */
    private static Commit put(long seq, String name, int bytes) {
        String value = bytes == 1 ? "7" : "\"" + "x".repeat(bytes - 2) + "\"";
        return Commit.of(seq, Change.put(name, value.getBytes(StandardCharsets.UTF_8)));
    }

    private static Commit delete(long seq, String name) {
        return Commit.of(seq, Change.delete(name));
    }

    /** A transaction's commit at {@code seq}: the one change of each of {@code parts}. */
    private static Commit txn(long seq, Commit... parts) {
        return new Commit(seq, java.util.Arrays.stream(parts).map(Commit::only).toList());
    }

    /** Commits puts {@code from..to} named {@code n<seq>} with 10-byte values, one batch each. */
    private static void commitPuts(ChangeFeed feed, long from, long to) {
        for (long seq = from; seq <= to; seq++) {
            feed.committed(List.of(put(seq, "n" + seq, 10)));
        }
    }

    /** The seq of each change of the page: a transaction's repeated for each of its changes. */
    private static List<Long> seqs(ChangePage page) {
        return page.commits().stream()
                .flatMap(c -> c.changes().stream().map(change -> c.seq()))
                .toList();
    }

    private static List<Long> range(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    // --- the window ---------------------------------------------------------------------------

    @Test
    void windowByCountKeepsTheLastRetainChanges() {
        ChangeFeed feed = feed(5, 1 << 20, 10);
        commitPuts(feed, 1, 5);
        assertThat(seqs(feed.read(0, 100, "")), is(range(1, 5))); // exactly full: nothing evicted yet
        feed.committed(List.of(put(6, "a", 10), put(7, "b", 10), put(8, "c", 10))); // one batch of three
        commitPuts(feed, 9, 12);
        assertThat(feed.lastSeq(), is(12L));
        assertThat(seqs(feed.read(7, 100, "")), is(range(8, 12)));
        assertThat(seqs(feed.read(10, 100, "")), is(range(11, 12)));
        ChangePage caughtUp = feed.read(12, 100, "");
        assertThat(caughtUp.commits(), is(empty()));
        assertThat(caughtUp.lastSeq(), is(12L));
        for (long since : new long[] {0, 1, 6}) {
            FeedGone gone = assertThrows(FeedGone.class, () -> feed.read(since, 100, ""), "since=" + since);
            assertThat(gone.lastSeq(), is(12L));
        }
        // a read that would only need changes inside the window still refuses a since before it
        assertThrows(FeedGone.class, () -> feed.read(6, 1, ""));
    }

    @Test
    void windowByBytesEvictsTheOldestValuesAndDeletesCostNothing() {
        ChangeFeed feed = feed(1000, 100, 10);
        feed.committed(List.of(put(1, "a", 30), put(2, "b", 30), put(3, "c", 30))); // 90 bytes
        assertThat(seqs(feed.read(0, 100, "")), is(range(1, 3)));
        feed.committed(List.of(put(4, "d", 30))); // 120 > 100: seq 1 leaves
        assertThrows(FeedGone.class, () -> feed.read(0, 100, ""));
        assertThat(seqs(feed.read(1, 100, "")), is(range(2, 4)));
        feed.committed(List.of(delete(5, "a"), delete(6, "b"))); // no value bytes
        assertThat(seqs(feed.read(1, 100, "")), is(range(2, 6)));
        feed.committed(List.of(put(7, "e", 10))); // 90 + 10 = 100: still fits
        assertThat(seqs(feed.read(1, 100, "")), is(range(2, 7)));
        feed.committed(List.of(put(8, "f", 1))); // 101: seq 2 leaves
        assertThrows(FeedGone.class, () -> feed.read(1, 100, ""));
        assertThat(seqs(feed.read(2, 100, "")), is(range(3, 8)));
    }

    @Test
    void aValueLargerThanTheByteLimitStaysAloneInTheWindow() {
        ChangeFeed feed = feed(1000, 100, 10);
        commitPuts(feed, 1, 3);
        feed.committed(List.of(put(4, "big", 500)));
        assertThat(seqs(feed.read(3, 100, "")), is(List.of(4L)));
        assertThrows(FeedGone.class, () -> feed.read(2, 100, ""));
        feed.committed(List.of(put(5, "small", 10))); // the big one goes
        assertThat(seqs(feed.read(4, 100, "")), is(List.of(5L)));
        assertThrows(FeedGone.class, () -> feed.read(3, 100, ""));
    }

    @Test
    void seqsThatJumpAheadLeaveGapsThatReadersStepOver() {
        ChangeFeed feed = feed(10, 1 << 20, 10);
        feed.committed(List.of(put(1, "a", 1)));
        feed.committed(List.of(put(4, "b", 1), put(5, "c", 1))); // 2 and 3 were changes elsewhere
        assertThat(seqs(feed.read(0, 100, "")), is(List.of(1L, 4L, 5L)));
        assertThat(seqs(feed.read(2, 100, "")), is(List.of(4L, 5L)));
        ChangePage one = feed.read(1, 1, "");
        assertThat(seqs(one), is(List.of(4L)));
        assertThat(one.lastSeq(), is(4L));
        assertThat(feed.lastSeq(), is(5L));
        // a gap inside the window evicts the oldest changes as if they were changes
        feed.committed(List.of(put(12, "d", 1)));
        assertThrows(FeedGone.class, () -> feed.read(1, 100, ""));
        assertThat(seqs(feed.read(2, 100, "")), is(List.of(4L, 5L, 12L)));
        // a gap wider than the window empties it: the floor moves to just before the new change
        feed.committed(List.of(put(100, "e", 1)));
        assertThrows(FeedGone.class, () -> feed.read(12, 100, ""));
        assertThat(seqs(feed.read(99, 100, "")), is(List.of(100L)));
        assertThat(seqs(feed.read(100, 100, "")), is(empty()));
    }

    @Test
    void aGapRightAfterLoadingIsSteppedOver() {
        ChangeFeed feed = new ChangeFeed(new FeedConfig(10, 1 << 20, 10, KEEP_ALIVE));
        closeAfter.add(feed);
        feed.loaded(40);
        feed.committed(List.of(put(43, "a", 1)));
        assertThat(seqs(feed.read(40, 100, "")), is(List.of(43L)));
        assertThat(seqs(feed.read(41, 100, "")), is(List.of(43L)));
        assertThrows(FeedGone.class, () -> feed.read(39, 100, ""));
    }

    @Test
    void resetDropsTheWindowAndRestartsAtTheNewSeq() {
        ChangeFeed feed = feed(10, 1 << 20, 10);
        commitPuts(feed, 1, 5);
        feed.reset(20);
        assertThat(feed.lastSeq(), is(20L));
        for (long since = 0; since < 20; since++) {
            long s = since;
            assertThrows(FeedGone.class, () -> feed.read(s, 100, ""), "since=" + since);
        }
        assertThat(seqs(feed.read(20, 100, "")), is(empty()));
        feed.committed(List.of(put(21, "a", 1)));
        assertThat(seqs(feed.read(20, 100, "")), is(List.of(21L)));
    }

    @Test
    void aSinceAheadOfTheFeedIsGone() {
        ChangeFeed feed = feed(10, 1 << 20, 10);
        commitPuts(feed, 1, 3);
        FeedGone gone = assertThrows(FeedGone.class, () -> feed.read(4, 100, ""));
        assertThat(gone.lastSeq(), is(3L));
        assertThrows(FeedGone.class, () -> feed.read(Long.MAX_VALUE, 100, ""));
    }

    @Test
    void readsReturnTheCommitsAsCommitted() {
        ChangeFeed feed = feed(10, 1 << 20, 10);
        Commit a = Commit.of(1, Change.put("team/ünï 😀", "{\"x\":[1,2]}".getBytes(StandardCharsets.UTF_8)));
        Commit b = delete(2, "team/ünï 😀");
        feed.committed(List.of(a, b));
        assertThat(feed.read(0, 100, "").commits(), contains(a, b));
    }

    // --- prefix and limit ---------------------------------------------------------------------

    @Test
    void prefixFiltersAndLastSeqAdvancesOverChangesThatDoNotMatch() {
        ChangeFeed feed = feed(100, 1 << 20, 10);
        feed.committed(List.of(
                put(1, "a/1", 10),
                put(2, "b/1", 10),
                put(3, "a/2", 10),
                put(4, "b/2", 10),
                delete(5, "b/1"),
                put(6, "ab", 10)));
        ChangePage a = feed.read(0, 100, "a/");
        assertThat(seqs(a), is(List.of(1L, 3L)));
        assertThat(a.lastSeq(), is(6L)); // read to the end, past the non-matching 4..6
        ChangePage none = feed.read(3, 100, "a/");
        assertThat(none.commits(), is(empty()));
        assertThat(none.lastSeq(), is(6L));
        assertThat(seqs(feed.read(0, 100, "a")), is(List.of(1L, 3L, 6L)));
        assertThat(seqs(feed.read(0, 100, "zzz")), is(empty()));
        // a limited page stops at its last match: resuming from lastSeq misses nothing
        ChangePage first = feed.read(0, 2, "b/");
        assertThat(seqs(first), is(List.of(2L, 4L)));
        assertThat(first.lastSeq(), is(4L));
        ChangePage second = feed.read(first.lastSeq(), 2, "b/");
        assertThat(seqs(second), is(List.of(5L)));
        assertThat(second.lastSeq(), is(6L));
        ChangePage one = feed.read(0, 1, "");
        assertThat(seqs(one), is(List.of(1L)));
        assertThat(one.lastSeq(), is(1L));
    }

    /**
     * A read from inside a transaction's commit starts with the rest of its changes; under a prefix each
     * change keeps its place in the whole commit (what an SSE event's id counts), and a page of whole
     * commits has no places at all.
     */
    @Test
    void aReadFromInsideACommitGivesTheRestOfItWithEachChangesPlace() {
        ChangeFeed feed = feed(100, 1 << 20, 10);
        feed.committed(List.of(put(1, "a/1", 1)));
        feed.committed(List.of(txn(2, put(0, "b/1", 1), put(0, "a/2", 1), put(0, "b/2", 1), put(0, "a/3", 1))));
        feed.committed(List.of(put(3, "a/4", 1)));

        ChangePage rest = feed.read(new FeedPosition(2, 0), 100, "");
        assertThat(names(rest), contains("a/2", "b/2", "a/3", "a/4"));
        assertThat(rest.place(0, 0), is(1));
        assertThat(rest.place(0, 2), is(3));
        assertThat(rest.lastSeq(), is(3L));

        ChangePage under = feed.read(new FeedPosition(2, 1), 100, "a/");
        assertThat(names(under), contains("a/3", "a/4"));
        assertThat(under.place(0, 0), is(3)); // its place in the whole commit, not among a/ names
        assertThat(under.place(1, 0), is(0));

        ChangePage whole = feed.read(0, 100, "");
        assertThat(whole.places(), is((List<int[]>) null));
        assertThat(names(feed.read(new FeedPosition(2, 3), 100, "")), contains("a/4")); // after its last change
        assertThat(names(feed.read(new FeedPosition(2, 9), 100, "")), contains("a/4")); // beyond it: the same
        FeedGone ahead = assertThrows(FeedGone.class, () -> feed.read(new FeedPosition(4, 0), 100, ""));
        assertThat(ahead.lastSeq(), is(3L));
    }

    /** The names of a page's changes, in order. */
    private static List<String> names(ChangePage page) {
        return page.commits().stream()
                .flatMap(c -> c.changes().stream().map(Change::name))
                .toList();
    }

    /**
     * Closing and draining wakes every subscriber and returns once each has left, not before (a stopping
     * server writes their answers meanwhile); one that does not leave in time makes it return false.
     */
    @Test
    void closeAndDrainWaitsForEverySubscriberToLeave() throws Exception {
        ChangeFeed feed = feed(100, 1 << 20, 10);
        ChangeFeed.Waiter answering = feed.subscribe();
        ChangeFeed.Waiter stuck = feed.subscribe();
        CompletableFuture<Boolean> woken = CompletableFuture.supplyAsync(() -> {
            Object nothing = answering.await(Duration.ofSeconds(50), () -> null);
            answering.close(); // after its answer
            return nothing == null;
        });
        assertThat("one left, one did not", feed.closeAndDrain(Duration.ofMillis(300)), is(false));
        assertThat(woken.get(40, TimeUnit.SECONDS), is(true));
        assertThat(feed.subscribers(), is(1));
        CompletableFuture<Boolean> drained =
                CompletableFuture.supplyAsync(() -> feed.closeAndDrain(Duration.ofSeconds(50)));
        Eventually.holds("still draining while one is there", Duration.ofMillis(200), () -> !drained.isDone());
        stuck.close();
        assertThat(drained.get(40, TimeUnit.SECONDS), is(true));
    }

    // --- waiting ------------------------------------------------------------------------------

    @Test
    void awaitWakesOnACommitFromAnotherThread() throws Exception {
        ChangeFeed feed = feed(100, 1 << 20, 10);
        commitPuts(feed, 1, 2);
        CompletableFuture<Boolean> woke = CompletableFuture.supplyAsync(() -> await(feed, 2, Duration.ofSeconds(50)));
        Eventually.await("the waiter waits", Duration.ofSeconds(30), () -> feed.waiting() == 1);
        assertThat(woke.isDone(), is(false));
        commitPuts(feed, 3, 3);
        assertThat(woke.get(40, TimeUnit.SECONDS), is(true));
    }

    @Test
    void awaitReturnsAtOnceWhenThereIsAlreadyALaterChange() throws InterruptedException {
        ChangeFeed feed = feed(100, 1 << 20, 10);
        commitPuts(feed, 1, 2);
        assertThat(feed.await(1, Duration.ofSeconds(50)), is(true));
        assertThat(feed.await(0, Duration.ZERO), is(true));
    }

    @Test
    void awaitTimesOutWithoutAChange() throws InterruptedException {
        ChangeFeed feed = feed(100, 1 << 20, 10);
        commitPuts(feed, 1, 2);
        assertThat(feed.await(2, Duration.ofMillis(200)), is(false));
        assertThat(feed.await(2, Duration.ZERO), is(false));
    }

    @Test
    void manyWaitersAllWakeOnOneCommit() throws Exception {
        ChangeFeed feed = feed(100, 1 << 20, 10);
        List<CompletableFuture<Boolean>> waiters = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            CompletableFuture<Boolean> f = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> f.complete(await(feed, 0, Duration.ofSeconds(50))));
            waiters.add(f);
        }
        commitPuts(feed, 1, 1);
        for (CompletableFuture<Boolean> f : waiters) {
            assertThat(f.get(40, TimeUnit.SECONDS), is(true));
        }
    }

    @Test
    void closeWakesWaitersAndRefusesNewSubscribers() throws Exception {
        ChangeFeed feed = feed(100, 1 << 20, 10);
        CompletableFuture<Boolean> woke = CompletableFuture.supplyAsync(() -> await(feed, 0, Duration.ofSeconds(50)));
        Eventually.await("the waiter waits", Duration.ofSeconds(30), () -> feed.waiting() == 1);
        feed.close();
        assertThat(woke.get(40, TimeUnit.SECONDS), is(false));
        assertThat(feed.closed(), is(true));
        assertThat(feed.await(0, Duration.ofSeconds(50)), is(false)); // returns at once after close
        assertThrows(StoreUnavailable.class, feed::subscribe); // shutting down, not busy
    }

    private static boolean await(ChangeFeed feed, long seq, Duration timeout) {
        return feed.await(seq, timeout);
    }

    // --- subscribers --------------------------------------------------------------------------

    @Test
    void subscribersAreCappedAndReleasedOnClose() {
        ChangeFeed feed = feed(100, 1 << 20, 2);
        ChangeFeed.Waiter first = feed.subscribe();
        ChangeFeed.Waiter second = feed.subscribe();
        assertThat(feed.subscribers(), is(2));
        assertThrows(FeedBusy.class, feed::subscribe);
        assertThat(feed.subscribers(), is(2)); // a refused one does not count
        first.close();
        assertThat(feed.subscribers(), is(1));
        ChangeFeed.Waiter third = feed.subscribe();
        assertThrows(FeedBusy.class, feed::subscribe);
        second.close();
        third.close();
        assertThat(feed.subscribers(), is(0));
    }

    // --- concurrent readers -------------------------------------------------------------------

    /**
     * Readers racing a committing thread over a small ring: every page they get is the exact run of
     * seqs after their cursor (no torn or stale slot), or they are told the feed is gone.
     */
    @Test
    void readersRacingCommitsSeeContiguousPagesOrGone() throws Exception {
        ChangeFeed feed = feed(64, 1 << 20, 10);
        long total = 200_000;
        AtomicBoolean done = new AtomicBoolean();
        List<CompletableFuture<long[]>> readers = new ArrayList<>();
        for (int r = 0; r < 3; r++) {
            readers.add(CompletableFuture.supplyAsync(
                    () -> {
                        long cursor = 0;
                        long pages = 0;
                        long gone = 0;
                        while (!done.get() || cursor < feed.lastSeq()) {
                            try {
                                ChangePage page = feed.read(cursor, 16, "");
                                List<Long> seqs = seqs(page);
                                if (!seqs.equals(range(cursor + 1, cursor + seqs.size()))
                                        || page.lastSeq() != cursor + seqs.size()) {
                                    throw new AssertionError(
                                            "after " + cursor + " read " + seqs + " up to " + page.lastSeq());
                                }
                                for (Commit m : page.commits()) {
                                    if (!m.only().name().equals("n" + m.seq())) {
                                        throw new AssertionError("seq " + m.seq() + " carries "
                                                + m.only().name());
                                    }
                                }
                                cursor = page.lastSeq();
                                pages++;
                            } catch (FeedGone e) {
                                gone++;
                                cursor = e.lastSeq();
                            }
                        }
                        return new long[] {pages, gone};
                    },
                    runnable -> Thread.ofPlatform().start(runnable)));
        }
        for (long seq = 1; seq <= total; seq += 4) {
            feed.committed(List.of(
                    put(seq, "n" + seq, 10),
                    put(seq + 1, "n" + (seq + 1), 10),
                    put(seq + 2, "n" + (seq + 2), 10),
                    put(seq + 3, "n" + (seq + 3), 10)));
        }
        done.set(true);
        for (CompletableFuture<long[]> reader : readers) {
            long[] counts = reader.get(50, TimeUnit.SECONDS);
            assertThat("pages read", counts[0] > 0, is(true));
        }
    }

    // --- rebuild at start ---------------------------------------------------------------------

    @Test
    void restoredChangesFormTheWindowAfterTheSnapshot() {
        ChangeFeed feed = new ChangeFeed(new FeedConfig(100, 1 << 20, 10, KEEP_ALIVE));
        closeAfter.add(feed);
        for (long seq = 11; seq <= 15; seq++) { // a snapshot at 10, then the journal tail
            feed.replayed(seq % 2 == 0 ? delete(seq, "n" + (seq - 1)) : put(seq, "n" + seq, 10));
        }
        feed.loaded(15);
        assertThat(feed.lastSeq(), is(15L));
        ChangePage page = feed.read(10, 100, "");
        assertThat(seqs(page), is(range(11, 15)));
        assertThat(page.commits().get(1).only().isDelete(), is(true));
        assertThrows(FeedGone.class, () -> feed.read(9, 100, ""));
        commitPuts(feed, 16, 16);
        assertThat(seqs(feed.read(10, 100, "")), is(range(11, 16)));
    }

    @Test
    void aLongJournalTailKeepsOnlyTheWindow() {
        ChangeFeed feed = new ChangeFeed(new FeedConfig(5, 1 << 20, 10, KEEP_ALIVE));
        closeAfter.add(feed);
        for (long seq = 1; seq <= 20; seq++) {
            feed.replayed(put(seq, "n" + seq, 10));
        }
        feed.loaded(20);
        assertThat(seqs(feed.read(15, 100, "")), is(range(16, 20)));
        assertThrows(FeedGone.class, () -> feed.read(14, 100, ""));
    }

    @Test
    void withoutAJournalTailTheWindowStartsEmptyAtTheLoadedSeq() {
        ChangeFeed feed = new ChangeFeed(new FeedConfig(100, 1 << 20, 10, KEEP_ALIVE));
        closeAfter.add(feed);
        feed.loaded(7); // everything is in the snapshot
        assertThat(feed.lastSeq(), is(7L));
        ChangePage page = feed.read(7, 100, "");
        assertThat(page.commits(), is(empty()));
        assertThat(page.lastSeq(), is(7L));
        assertThrows(FeedGone.class, () -> feed.read(6, 100, ""));
        assertThrows(FeedGone.class, () -> feed.read(0, 100, ""));
        commitPuts(feed, 8, 9);
        assertThat(seqs(feed.read(7, 100, "")), is(range(8, 9)));
    }

    /**
     * Read-your-writes on the feed: once a write is acknowledged, a client that asks for the changes
     * after the ETag it got (or just before it) must not be told that this seq is ahead of the store.
     */
    @Test
    void anAcknowledgedWriteIsAlreadyInTheFeed() throws IOException {
        try (Store store = Stores.memory()) {
            for (int i = 0; i < 2000; i++) {
                long seq = store.execute(new Command.Put("rw", "1".getBytes(), Precondition.NONE))
                        .seq();
                ChangePage after =
                        store.feed().read(seq, 10, ""); // FeedGone "ahead of this store" if not published yet
                assertThat(after.lastSeq(), is(seq));
                assertThat(seqs(store.feed().read(seq - 1, 10, "")), is(List.of(seq)));
            }
        }
    }

    /** The real thing: a store on a journal, closed and opened again, with and without compaction. */
    @Test
    void aReopenedStoreRebuildsItsFeedFromTheJournal(@TempDir Path dir) throws IOException {
        LocalConfig config = new LocalConfig(1024, FsyncPolicy.ALWAYS, Duration.ofMillis(100));
        FeedConfig feed = new FeedConfig(1000, 1 << 20, 10, KEEP_ALIVE);
        List<Commit> before;
        try (Store store = Stores.open(JournalPersistence.open(Stores.journal(dir)), config, feed)) {
            for (int i = 1; i <= 6; i++) {
                store.execute(new Command.Put("app/" + (i % 3), ("[" + i + "]").getBytes(), Precondition.NONE));
            }
            store.execute(new Command.Delete("app/1", Precondition.NONE));
            before = readAll(store);
        }
        assertThat(before.stream().map(Commit::seq).toList(), is(range(1, 7)));
        long snapshot;
        try (Store store = Stores.open(JournalPersistence.open(Stores.journal(dir)), config, feed)) {
            assertThat(describe(readAll(store)), is(describe(before)));
            assertThat(
                    store.execute(new Command.Put("app/9", "9".getBytes(), Precondition.NONE))
                            .seq(),
                    is(8L));
            assertThat(readAll(store).stream().map(Commit::seq).toList(), is(range(1, 8)));
            snapshot = store.compact().seq();
            store.execute(new Command.Put("app/10", "10".getBytes(), Precondition.NONE));
        }
        assertThat(snapshot, is(8L));
        try (Store store = Stores.open(JournalPersistence.open(Stores.journal(dir)), config, feed)) {
            assertThrows(FeedGone.class, () -> store.feed().read(0, 100, ""));
            assertThrows(FeedGone.class, () -> store.feed().read(snapshot - 1, 100, ""));
            List<Commit> tail = store.feed().read(snapshot, 100, "").commits();
            assertThat(describe(tail), is(List.of("9 put app/10 10")));
        }
    }

    @Test
    void aFeedOnItsOwnCountsEveryRetainedValueAndTrimLetsTheOldestGo() {
        ChangeFeed feed = feed(100, 1 << 20, 10);
        feed.committed(List.of(put(1, "a", 1_000), put(2, "b", 2_000)));
        assertThat(feed.heldBytes(), is(3_000 + 2 * ChangeFeed.CHANGE_OVERHEAD));
        feed.trim(2_500); // the oldest change goes, the newer one fits
        assertThat(feed.heldBytes(), is(2_000 + ChangeFeed.CHANGE_OVERHEAD));
        assertThrows(FeedGone.class, () -> feed.read(0, 10, ""));
        assertThat(describe(feed.read(1, 10, "").commits()), is(List.of("2 put b " + "\"" + "x".repeat(1_998) + "\"")));
        feed.trim(-5); // no room at all: the window empties, and a client at the last seq carries on
        assertThat(feed.heldBytes(), is(0L));
        assertThat(feed.read(2, 10, "").commits(), is(List.of()));
    }

    @Test
    void aChangeThatIsStillItsAppsCurrentValueCostsNothingUntilSuperseded() {
        Commit a1 = put(1, "a", 1_000);
        java.util.Set<Change> current = new java.util.HashSet<>(List.of(a1.only()));
        ChangeFeed feed = new ChangeFeed(
                new FeedConfig(100, 1 << 20, 10, KEEP_ALIVE),
                (seq, name, data) -> current.stream()
                        .anyMatch(c ->
                                c.data() == data && data != null && c.name().equals(name)));
        closeAfter.add(feed);
        feed.loaded(0);
        feed.committed(List.of(a1));
        assertThat(feed.heldBytes(), is(0L));

        feed.superseded("a", 1, a1.only().data()); // the index replaces it
        current.remove(a1.only());
        Commit a2 = put(2, "a", 10);
        current.add(a2.only());
        feed.committed(List.of(a2));
        assertThat(feed.heldBytes(), is(1_000 + ChangeFeed.CHANGE_OVERHEAD));
        feed.superseded("a", 1, a1.only().data()); // not current any more: not counted twice
        feed.superseded("a", 7, a1.only().data()); // a seq the window does not hold: nothing
        assertThat(feed.heldBytes(), is(1_000 + ChangeFeed.CHANGE_OVERHEAD));

        feed.trim(0);
        assertThat(feed.heldBytes(), is(0L));
    }

    @Test
    void heldBytesAlwaysEqualWhatTheWindowsOverwrittenAndDeletedChangesHold() {
        // A model of the store's protocol: superseded() before the index changes, committed() after; the
        // feed's count, kept per slot as changes come and go, must match the definition at every step.
        record Written(long seq, Change change) {}
        java.util.Map<String, Written> index = new java.util.HashMap<>();
        List<Written> all = new ArrayList<>();
        int retain = 16;
        ChangeFeed feed = new ChangeFeed(
                new FeedConfig(retain, 1 << 20, 10, KEEP_ALIVE),
                (seq, name, data) -> data != null
                        && index.get(name) instanceof Written w
                        && w.seq() == seq
                        && w.change().data() == data);
        closeAfter.add(feed);
        feed.loaded(0);
        java.util.Random random = new java.util.Random(13);
        long seq = 0;
        for (int round = 0; round < 2_000; round++) {
            List<Commit> batch = new ArrayList<>();
            for (int seqs = 1 + random.nextInt(4); seqs > 0; seqs--) {
                seq++;
                List<Change> changes = new ArrayList<>();
                for (int n = random.nextInt(5) == 0 ? 2 + random.nextInt(3) : 1; n > 0; n--) {
                    String name = "n" + random.nextInt(6); // may repeat within a transaction
                    changes.add(
                            random.nextInt(4) == 0
                                    ? Change.delete(name)
                                    : put(seq, name, 1 + random.nextInt(50)).only());
                }
                batch.add(new Commit(seq, changes));
            }
            for (Commit commit : batch) {
                for (Change change : commit.changes()) {
                    Written old = index.get(change.name());
                    if (old != null) {
                        feed.superseded(
                                old.change().name(), old.seq(), old.change().data());
                    }
                    if (change.isDelete()) {
                        index.remove(change.name());
                    } else {
                        index.put(change.name(), new Written(commit.seq(), change));
                    }
                    all.add(new Written(commit.seq(), change));
                }
            }
            feed.committed(batch);
            long last = seq;
            long expected = all.stream()
                    .filter(w -> w.seq() > last - retain
                            && !w.equals(index.get(w.change().name())))
                    .mapToLong(w -> (w.change().isDelete() ? 0 : w.change().data().length) + ChangeFeed.CHANGE_OVERHEAD)
                    .sum();
            assertThat("after seq " + seq, feed.heldBytes(), is(expected));
        }
    }

    // --- a seq with several changes (a transaction) ----------------------------------------------

    @Test
    void aReadNeverSplitsTheChangesOfOneSeq() {
        ChangeFeed feed = feed(100, 1 << 20, 10);
        feed.committed(List.of(
                put(1, "a", 10),
                txn(2, put(2, "b", 10), put(2, "c", 10), delete(2, "a")),
                put(3, "d", 10))); // seq 2: a transaction of three in a batch with others
        feed.committed(List.of(txn(4, put(4, "e", 10), put(4, "f", 10)))); // a batch that is one transaction
        assertThat(describe(feed.read(0, 1, "").commits()), is(List.of("1 put a \"xxxxxxxx\"")));
        ChangePage txn = feed.read(1, 1, ""); // over the limit rather than a part of seq 2
        assertThat(seqs(txn), is(List.of(2L, 2L, 2L)));
        assertThat(txn.commits().getFirst().changes().stream().map(Change::name).toList(), is(List.of("b", "c", "a")));
        assertThat(txn.lastSeq(), is(2L));
        assertThat(seqs(feed.read(1, 2, "")), is(List.of(2L, 2L, 2L)));
        assertThat(seqs(feed.read(1, 4, "")), is(List.of(2L, 2L, 2L, 3L)));
        assertThat(seqs(feed.read(3, 1, "")), is(List.of(4L, 4L)));
        ChangePage filtered = feed.read(1, 1, "c"); // a prefix takes what matches, still a seq at a time
        assertThat(seqs(filtered), is(List.of(2L)));
        assertThat(filtered.lastSeq(), is(2L));
        assertThat(seqs(feed.read(0, 100, "")), is(List.of(1L, 2L, 2L, 2L, 3L, 4L, 4L)));
    }

    @Test
    void theChangesOfOneSeqLeaveTheWindowTogetherAndCountAsOne() {
        ChangeFeed feed = feed(3, 1 << 20, 10);
        feed.committed(List.of(txn(1, put(1, "a", 10), put(1, "b", 10), put(1, "c", 10), put(1, "d", 10))));
        commitPuts(feed, 2, 3);
        assertThat(seqs(feed.read(0, 100, "")), is(List.of(1L, 1L, 1L, 1L, 2L, 3L))); // 3 seqs, 6 changes
        commitPuts(feed, 4, 4);
        assertThrows(FeedGone.class, () -> feed.read(0, 100, ""));
        assertThat(seqs(feed.read(1, 100, "")), is(List.of(2L, 3L, 4L)));
        assertThat(feed.heldBytes(), is(3 * (10 + ChangeFeed.CHANGE_OVERHEAD)));

        ChangeFeed bytes = feed(100, 50, 10); // 50 bytes of values: a transaction's 40 fit, and leave together
        bytes.committed(List.of(txn(1, put(1, "a", 20), put(1, "b", 20))));
        assertThat(seqs(bytes.read(0, 100, "")), is(List.of(1L, 1L)));
        bytes.committed(List.of(put(2, "c", 20))); // 60: all of seq 1 leaves
        assertThrows(FeedGone.class, () -> bytes.read(0, 100, ""));
        assertThat(seqs(bytes.read(1, 100, "")), is(List.of(2L)));
    }

    @Test
    void aReplayedTransactionIsOneSeq() {
        ChangeFeed feed = new ChangeFeed(new FeedConfig(100, 1 << 20, 10, KEEP_ALIVE));
        closeAfter.add(feed);
        feed.replayed(put(5, "a", 10));
        feed.replayed(txn(6, put(6, "b", 10), delete(6, "a"), put(6, "c", 10)));
        feed.replayed(put(7, "d", 10));
        feed.loaded(7);
        assertThat(seqs(feed.read(5, 1, "")), is(List.of(6L, 6L, 6L)));
        assertThat(feed.read(5, 1, "").lastSeq(), is(6L));
        assertThat(
                feed.heldBytes(), is(4 * (10 + ChangeFeed.CHANGE_OVERHEAD) + ChangeFeed.CHANGE_OVERHEAD)); // all five
    }

    @Test
    void aSupersededValueInATransactionIsFoundByItsName() {
        Change a = put(1, "a", 1_000).only();
        Change b = put(1, "b", 2_000).only();
        java.util.Set<Change> current = new java.util.HashSet<>(List.of(a, b));
        ChangeFeed feed = new ChangeFeed(
                new FeedConfig(100, 1 << 20, 10, KEEP_ALIVE),
                (seq, name, data) -> current.stream()
                        .anyMatch(c ->
                                c.data() == data && data != null && c.name().equals(name)));
        closeAfter.add(feed);
        feed.loaded(0);
        feed.committed(List.of(new Commit(1, List.of(a, b))));
        assertThat(feed.heldBytes(), is(0L));
        feed.superseded("b", 1, b.data());
        current.remove(b);
        assertThat(feed.heldBytes(), is(2_000 + ChangeFeed.CHANGE_OVERHEAD));
        feed.superseded("a", 1, b.data()); // not a's value: nothing
        assertThat(feed.heldBytes(), is(2_000 + ChangeFeed.CHANGE_OVERHEAD));
        feed.trim(0);
        assertThat(feed.heldBytes(), is(0L));
        assertThrows(FeedGone.class, () -> feed.read(0, 10, ""));
    }

    @Test
    void aDispatcherThatHasEndedMakesTheStoreHealthDownWithTheReason() throws InterruptedException {
        Store store = Stores.memory();
        closeAfter.add(store);
        assertThat(new StoreHealth(store).call().status(), is(HealthCheckResponse.Status.UP));
        Thread dispatcher = store.feed().dispatcher();
        dispatcher.interrupt(); // only close() should: its waiters would then sleep out their whole wait
        dispatcher.join(10_000);
        assertThat("the dispatcher has ended", dispatcher.isAlive(), is(false));
        HealthCheckResponse health = new StoreHealth(store).call();
        assertThat(health.details().toString(), health.status(), is(HealthCheckResponse.Status.DOWN));
        assertThat(
                String.valueOf(health.details().get("failure")),
                containsString("the changes feed's dispatcher (thread microstore-feed) has stopped"));
        store.close();
        assertThat("a closed store says it is closed", store.failure(), is("the store is closed"));
    }

    /** Every change in the feed (acknowledged writes are in it: see anAcknowledgedWriteIsAlreadyInTheFeed). */
    private static List<Commit> readAll(Store store) {
        return store.feed().read(0, 1000, "").commits();
    }

    private static List<String> describe(List<Commit> commits) {
        return commits.stream()
                .flatMap(c -> c.changes().stream()
                        .map(m -> c.seq() + " "
                                + (m.isDelete() ? "delete" : "put") + " " + m.name()
                                + (m.isDelete() ? "" : " " + new String(m.data(), StandardCharsets.UTF_8))))
                .toList();
    }
}
