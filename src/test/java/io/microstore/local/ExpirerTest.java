package io.microstore.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.helidon.health.HealthCheckResponse;
import io.microstore.commit.Commit;
import io.microstore.commit.CommitStream;
import io.microstore.observe.StoreHealth;
import io.microstore.persist.FaultyFileOps;
import io.microstore.persist.JournalConfig;
import io.microstore.persist.JournalPersistence;
import io.microstore.persist.MemoryPersistence;
import io.microstore.persist.Persistence;
import io.microstore.store.Command;
import io.microstore.store.Entry;
import io.microstore.store.NoSpace;
import io.microstore.store.Outcome;
import io.microstore.store.Precondition;
import io.microstore.store.Store;
import io.microstore.testing.Changes;
import io.microstore.testing.Eventually;
import io.microstore.testing.Stores;
import io.microstore.testing.TestClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The local engine's expiry on a clock the test moves ({@link TestClock}): an app is deleted at its
 * deadline as by a DELETE (a seq, a plain delete in the feed), never in a newer version, after a
 * restart too (a deadline passed while the store was down is deleted at start), and a full disk only
 * postpones it.
 */
class ExpirerTest {
    private static final Duration RESUME = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private final TestClock clock = new TestClock();
    private LocalEngine engine;

    private Store open(Persistence persistence) throws IOException {
        return open(persistence, clock);
    }

    private Store open(Persistence persistence, InstantSource on) throws IOException {
        engine = new LocalEngine(persistence, Stores.LOCAL, on);
        return Store.open(engine, Stores.FEED);
    }

    private Store openJournal() throws IOException {
        return open(JournalPersistence.open(Stores.journal(dir)));
    }

    private static Outcome put(Store store, String name, String json, Duration ttl) {
        return store.execute(
                new Command.Put(name, bytes(json), Precondition.NONE, ttl == null ? 0 : store.expiresIn(ttl)));
    }

    private static byte[] bytes(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    /** The feed from the start, as "seq op name" lines. */
    private static List<String> feed(Store store) {
        return feed(store, 0);
    }

    /** The feed after {@code since}, as "seq op name" lines. */
    private static List<String> feed(Store store, long since) {
        return Changes.lines(store.feed().read(since, 1000, ""));
    }

    private void advance(long millis) {
        clock.advance(Duration.ofMillis(millis));
    }

    /**
     * Moves the clock on by {@code millis}, runs a pass and returns how many deletes were committed
     * meanwhile. The engine's own thread may run that pass first (it wakes within a second), so the test
     * counts the seqs the deletes took, not what its own call returned. Nothing else writes meanwhile.
     */
    private int expireAfter(Store store, long millis) {
        long before = store.lastSeq();
        advance(millis);
        engine.expireDue(); // returns once any pass under way, the thread's too, is committed
        return Math.toIntExact(store.lastSeq() - before);
    }

    @Test
    void anAppIsDeletedAtItsDeadlineAsADeleteWithASeqOfItsOwn() throws IOException {
        try (Store store = open(new MemoryPersistence())) {
            Outcome put = put(store, "lock", "\"me\"", Duration.ofSeconds(10));
            assertEquals(TestClock.START.toEpochMilli() + 10_000, put.entry().expires());
            assertEquals(put.entry().expires(), store.get("lock").expires());
            put(store, "permanent", "1", null);
            assertEquals(0, expireAfter(store, 9_999), "a millisecond before the deadline");
            assertNotNull(store.get("lock"));
            assertEquals(1, expireAfter(store, 1), "at the deadline");
            assertNull(store.get("lock"));
            assertNotNull(store.get("permanent"));
            assertEquals(List.of("1 put lock", "2 put permanent", "3 delete lock"), feed(store));
            assertEquals(0, expireAfter(store, 0), "once only");
            assertEquals(3, store.lastSeq());
        }
    }

    @Test
    void dueAppsAreDeletedInDeadlineOrderThenSeqOrder() throws IOException {
        try (Store store = open(new MemoryPersistence())) {
            put(store, "a", "1", Duration.ofSeconds(5));
            put(store, "b", "1", Duration.ofSeconds(3));
            put(store, "c", "1", Duration.ofSeconds(3));
            put(store, "d", "1", Duration.ofSeconds(30));
            assertEquals(3, expireAfter(store, 10_000));
            assertEquals(
                    List.of("1 put a", "2 put b", "3 put c", "4 put d", "5 delete b", "6 delete c", "7 delete a"),
                    feed(store));
            assertEquals(1, engine.expirer().tracked(), "d");
        }
    }

    @Test
    void aPutWithoutTtlMakesTheAppPermanentAndAPutWithANewTtlRestartsTheClock() throws IOException {
        try (Store store = open(new MemoryPersistence())) {
            put(store, "permanent", "1", Duration.ofSeconds(10));
            Outcome again = put(store, "permanent", "2", null);
            assertEquals(0, again.entry().expires());
            put(store, "renewed", "1", Duration.ofSeconds(10));
            advance(8_000);
            Outcome renewed = put(store, "renewed", "2", Duration.ofSeconds(10)); // the lock holder's renewal
            assertEquals(clock.millis() + 10_000, renewed.entry().expires());
            assertEquals(0, expireAfter(store, 4_000), "12 s after the first deadline was set");
            assertEquals(renewed.entry(), store.get("renewed"));
            assertEquals(0, store.get("permanent").expires());
            assertEquals(1, expireAfter(store, 6_000));
            assertNull(store.get("renewed"));
            assertNotNull(store.get("permanent"));
            assertEquals(0, engine.expirer().tracked());
        }
    }

    @Test
    void aPatchKeepsTheDeadlineAndTheNewVersionExpires() throws IOException {
        try (Store store = open(new MemoryPersistence())) {
            Outcome put = put(store, "a", "{\"x\":1}", Duration.ofSeconds(10));
            Outcome patched =
                    store.execute(new Command.Patch("a", (name, current) -> bytes("{\"x\":2}"), Precondition.NONE));
            assertEquals(put.entry().expires(), patched.entry().expires());
            assertEquals(2, patched.seq());
            assertEquals(1, expireAfter(store, 10_000));
            assertNull(store.get("a"));
            assertEquals(List.of("1 put a", "2 put a", "3 delete a"), feed(store));
        }
    }

    /**
     * The expiry's delete carries If-Match of the version that had the deadline: a write that commits
     * between the expirer's look at the index and its delete wins, and the delete gets 412 and is dropped.
     */
    @Test
    void aNewerVersionWrittenWhileTheExpiryIsUnderWayIsNeverDeleted() throws Exception {
        HeldPersistence held = new HeldPersistence();
        try (Store store = open(held)) {
            put(store, "a", "1", Duration.ofSeconds(10));
            held.hold();
            CompletableFuture<Outcome> other = CompletableFuture.supplyAsync(() -> put(store, "other", "1", null));
            held.awaitHeld(); // the writer is inside the write of "other"
            CompletableFuture<Outcome> newer = CompletableFuture.supplyAsync(() -> put(store, "a", "2", null));
            Eventually.await(
                    "the newer put is queued", RESUME, () -> engine.stats().queued() == 1);
            advance(10_000);
            CompletableFuture<Integer> expired = CompletableFuture.supplyAsync(engine::expireDue);
            Eventually.await(
                    "the expiry's delete is queued behind it",
                    RESUME,
                    () -> engine.stats().queued() == 2);
            held.release();
            assertEquals(0, expired.get(10, TimeUnit.SECONDS));
            assertEquals(2, other.get(10, TimeUnit.SECONDS).seq());
            assertEquals(3, newer.get(10, TimeUnit.SECONDS).seq());
            Entry a = store.get("a");
            assertEquals(3, a.seq());
            assertEquals(0, a.expires());
            assertEquals(List.of("1 put a", "2 put other", "3 put a"), feed(store), "the refused delete used no seq");
            assertEquals(0, engine.expirer().tracked());
        }
    }

    @Test
    void aDeadlineSurvivesARestartAndOneThatPassedWhileDownIsDeletedAtStartAsAChange() throws IOException {
        long deadline;
        try (Store store = openJournal()) {
            deadline = put(store, "short", "1", Duration.ofSeconds(10)).entry().expires();
            put(store, "long", "2", Duration.ofSeconds(100));
            put(store, "kept", "3", null);
        }
        advance(5_000); // restart before any deadline: both still there, with the same deadlines
        try (Store store = openJournal()) {
            assertEquals(deadline, store.get("short").expires());
            assertEquals(deadline + 90_000, store.get("long").expires());
            assertEquals(0, store.get("kept").expires());
            assertTrue(store.compact().apps() > 0); // now the deadlines live in a snapshot
        }
        advance(5_000); // "short" expires while the store is down
        try (Store store = openJournal()) {
            assertNull(store.get("short"), "gone when the store is back");
            assertEquals(deadline + 90_000, store.get("long").expires(), "from the snapshot");
            assertEquals(List.of("4 delete short"), feed(store, 3), "the feed, rebuilt from the journal, says so");
            assertEquals(4, store.lastSeq());
        }
        advance(90_000);
        try (Store store = openJournal()) {
            assertNull(store.get("long"));
            assertEquals(List.of("4 delete short", "5 delete long"), feed(store, 3));
            assertEquals(1, store.size());
        }
    }

    /** Far more than the writer's queue holds (100 here): handed over in chunks, all before the store serves. */
    @Test
    void manyAppsThatExpiredWhileDownAreAllGoneWhenTheStoreIsBack() throws IOException {
        int apps = 3000;
        try (Store store = openJournal()) {
            List<Command> puts = new java.util.ArrayList<>();
            for (int i = 0; i < apps; i++) {
                puts.add(new Command.Put(
                        "many/" + i, bytes("1"), Precondition.NONE, store.expiresIn(Duration.ofSeconds(10 + i % 7))));
            }
            io.microstore.testing.Stores.executeAll(store, puts);
            put(store, "kept", "1", null);
        }
        advance(60_000);
        LocalConfig small = new LocalConfig(100, FsyncPolicy.ALWAYS, Stores.LOCAL.fsyncInterval());
        engine = new LocalEngine(JournalPersistence.open(Stores.journal(dir)), small, clock);
        try (Store store = Store.open(engine, Stores.FEED)) {
            assertEquals(1, store.size());
            assertEquals(2 * apps + 1, store.lastSeq());
            assertEquals(0, engine.expirer().tracked());
        }
    }

    @Test
    void aFullDiskPostponesExpiryUntilThereIsRoom() throws Exception {
        FaultyFileOps ops = new FaultyFileOps();
        try (Store store = open(JournalPersistence.open(new JournalConfig(dir, Stores.MIN_JOURNAL_BYTES, ops)))) {
            put(store, "a", "1", Duration.ofSeconds(10));
            ops.fill("No space left on device");
            assertThrows(NoSpace.class, () -> put(store, "b", "2", null));
            advance(10_000);
            assertEquals(0, engine.expireDue(), "refused for want of room");
            assertNotNull(store.get("a"));
            ops.makeRoom();
            // the writer finds room by itself, and the expirer tries again by itself (a second later)
            Eventually.await("expired once there is room", RESUME, () -> store.get("a") == null);
            assertEquals(List.of("1 put a", "2 delete a"), feed(store));
        }
    }

    @Test
    void onTheSystemClockTheEngineExpiresByItself() throws Exception {
        try (Store store = open(new MemoryPersistence(), InstantSource.system())) {
            long start = System.currentTimeMillis();
            store.execute(new Command.Put("soon", bytes("1"), Precondition.NONE, start + 300));
            assertNotNull(store.get("soon"));
            Eventually.await("expired", Duration.ofSeconds(5), () -> store.get("soon") == null);
            assertTrue(System.currentTimeMillis() - start >= 300);
            assertEquals(2, Changes.seqs(store.feed().read(0, 10, "")).size());
        }
    }

    /** An Error out of one pass (here from its clock; in life the heap running short) must not end expiry. */
    @Test
    void anErrorInAPassIsLoggedAndTheThreadGoesOnExpiring() throws Exception {
        AtomicBoolean fail = new AtomicBoolean();
        InstantSource failingOnce = () -> {
            if (fail.getAndSet(false)) {
                throw new OutOfMemoryError("injected into the expirer's clock");
            }
            return clock.instant();
        };
        try (Store store = open(new MemoryPersistence(), failingOnce)) {
            put(store, "a", "1", Duration.ofSeconds(10));
            fail.set(true);
            advance(10_000); // the thread wakes within a second, and its clock throws
            Eventually.await("the expirer went on and deleted the app", RESUME, () -> store.get("a") == null);
            assertEquals(false, fail.get(), "the fault was thrown");
            assertNull(engine.failure());
        }
    }

    @Test
    void anExpiryThreadThatHasEndedMakesHealthDownWithTheReason() throws Exception {
        try (Store store = open(new MemoryPersistence())) {
            assertEquals(
                    HealthCheckResponse.Status.UP, new StoreHealth(store).call().status());
            Thread expiry = engine.expirer().thread();
            expiry.interrupt(); // nothing but a test does: stop() asks it by a flag
            expiry.join(10_000);
            assertEquals(false, expiry.isAlive());
            HealthCheckResponse health = new StoreHealth(store).call();
            assertEquals(HealthCheckResponse.Status.DOWN, health.status());
            assertTrue(
                    String.valueOf(health.details().get("failure"))
                            .contains("the expirer (thread microstore-expirer) has stopped"),
                    health.details().toString());
        }
    }

    /** Memory persistence whose next write can be held until the test releases it. */
    private static final class HeldPersistence extends ForwardingPersistence {
        private volatile CountDownLatch entered = new CountDownLatch(0);
        private volatile CountDownLatch gate = new CountDownLatch(0);

        HeldPersistence() {
            super(new MemoryPersistence());
        }

        void hold() {
            entered = new CountDownLatch(1);
            gate = new CountDownLatch(1);
        }

        void awaitHeld() throws InterruptedException {
            assertTrue(entered.await(10, TimeUnit.SECONDS), "the writer never reached write");
        }

        void release() {
            gate.countDown();
        }

        @Override
        public void write() throws IOException {
            entered.countDown();
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            super.write();
        }
    }

    /** A persistence that hands every call to another. */
    private static class ForwardingPersistence implements Persistence {
        private final Persistence to;

        ForwardingPersistence(Persistence to) {
            this.to = to;
        }

        @Override
        public long load(CommitStream stream) throws IOException {
            return to.load(stream);
        }

        @Override
        public void append(Commit commit) {
            to.append(commit);
        }

        @Override
        public void write() throws IOException {
            to.write();
        }

        @Override
        public void sync() throws IOException {
            to.sync();
        }

        @Override
        public String describe() {
            return to.describe();
        }

        @Override
        public void close() throws IOException {
            to.close();
        }
    }
}
