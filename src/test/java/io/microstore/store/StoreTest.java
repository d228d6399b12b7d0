package io.microstore.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;

import io.microstore.commit.Commit;
import io.microstore.commit.CommitStream;
import io.microstore.local.FsyncPolicy;
import io.microstore.local.LocalConfig;
import io.microstore.persist.MemoryPersistence;
import io.microstore.persist.Persistence;
import io.microstore.testing.Eventually;
import io.microstore.testing.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.sameInstance;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

// The separate thread lets the timeout fail a test stuck in a join, which an interrupt does not end.
@Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StoreTest {
    private static final Precondition NONE = Precondition.NONE;

    private final TestPersistence persistence = new TestPersistence();
    private Store store;

    @AfterEach
    void closeStore() {
        persistence.release();
        if (store != null) {
            store.close();
        }
    }

    private Store open(LocalConfig config) throws IOException {
        store = Stores.open(persistence, config);
        return store;
    }

    private Store open() throws IOException {
        return open(Stores.LOCAL);
    }

    @Test
    void sequenceNumbersIncreaseByOnePerMutation() throws IOException {
        open();
        assertThat(store.lastSeq(), is(0L));
        assertThat(store.execute(put("a", "1")).seq(), is(1L));
        assertThat(store.execute(put("b", "2")).seq(), is(2L));
        Outcome replaced = store.execute(put("a", "[3]"));
        assertThat(replaced.seq(), is(3L));
        assertThat(replaced.entry().etag(), is("\"3\""));
        Outcome deleted = store.execute(new Command.Delete("b", NONE));
        assertThat(deleted.seq(), is(4L));
        assertThat(deleted.entry(), nullValue());
        assertThat(store.execute(put("b", "5")).seq(), is(5L)); // re-created: a new tag, never an old one

        assertThat(store.lastSeq(), is(5L));
        assertThat(text(store.get("a").data()), is("[3]"));
        assertThat(store.get("a").seq(), is(3L));
        assertThat(store.get("b").seq(), is(5L));
        assertThat(persistence.seqs(), contains(1L, 2L, 3L, 4L, 5L));
        assertThat(persistence.appended.get(3).only().isDelete(), is(true));
        assertThat(persistence.appended.get(3).only().name(), is("b"));
    }

    @Test
    void deleteOfMissingNameChangesNothing() throws IOException {
        open();
        store.execute(put("a", "1"));
        Outcome outcome = store.execute(new Command.Delete("missing", NONE));
        assertThat(outcome.seq(), is(0L));
        assertThat(outcome.entry(), nullValue());
        assertThat(store.lastSeq(), is(1L));
        assertThat(persistence.seqs(), contains(1L));
        assertThat(store.execute(put("b", "2")).seq(), is(2L));
    }

    @Test
    void writesAreInvisibleUntilPersistedAndSynced() throws Exception {
        open();
        persistence.hold();
        CompletableFuture<Outcome> write = submit(put("a", "1"));
        persistence.awaitHeld();
        assertThat(store.get("a"), nullValue());
        assertThat(store.lastSeq(), is(0L));
        assertThat(write.isDone(), is(false));
        persistence.release();
        assertThat(write.join().seq(), is(1L));
        assertThat(store.get("a").seq(), is(1L));
        assertThat(persistence.syncs.get() >= 1, is(true));
    }

    @Test
    void preconditionsSeeEarlierCommandsOfTheSameBatch() throws Exception {
        open();
        store.execute(put("k", "0")); // seq 1
        persistence.hold();
        CompletableFuture<Outcome> blocker = submit(put("blocker", "0")); // seq 2, holds the worker
        persistence.awaitHeld();
        // Queued behind the blocker, these are drained and checked as one batch, in this order.
        List<CompletableFuture<Outcome>> ifMatch = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ifMatch.add(submitQueued(
                    new Command.Put("k", bytes("" + (100 + i)), new Precondition(List.of("\"1\""), null))));
        }
        CompletableFuture<Outcome> create =
                submitQueued(new Command.Put("n", bytes("1"), new Precondition(null, List.of("*"))));
        CompletableFuture<Outcome> createAgain =
                submitQueued(new Command.Put("n", bytes("2"), new Precondition(null, List.of("*"))));
        CompletableFuture<Outcome> deleteCreated =
                submitQueued(new Command.Delete("n", new Precondition(List.of("\"4\""), null)));
        CompletableFuture<Outcome> replaceDeleted =
                submitQueued(new Command.Put("n", bytes("3"), new Precondition(List.of("*"), null)));
        CompletableFuture<Outcome> recreate =
                submitQueued(new Command.Put("n", bytes("4"), new Precondition(null, List.of("*"))));
        CompletableFuture<Outcome> staleDelete =
                submitQueued(new Command.Delete("k", new Precondition(List.of("\"1\""), null)));
        persistence.release();

        assertThat(blocker.join().seq(), is(2L));
        assertThat(ifMatch.getFirst().join().seq(), is(3L)); // the first in the queue wins
        for (CompletableFuture<Outcome> loser : ifMatch.subList(1, ifMatch.size())) {
            PreconditionFailed e = failure(loser, PreconditionFailed.class);
            assertThat(e.currentEtag(), is("\"3\""));
        }
        assertThat(create.join().seq(), is(4L));
        assertThat(failure(createAgain, PreconditionFailed.class).currentEtag(), is("\"4\""));
        assertThat(deleteCreated.join().seq(), is(5L));
        assertThat(failure(replaceDeleted, PreconditionFailed.class).currentEtag(), nullValue());
        assertThat(recreate.join().seq(), is(6L));
        failure(staleDelete, PreconditionFailed.class);

        assertThat(text(store.get("k").data()), is("100"));
        assertThat(store.get("k").seq(), is(3L));
        assertThat(text(store.get("n").data()), is("4"));
        assertThat(store.get("n").seq(), is(6L));
        assertThat(store.lastSeq(), is(6L));
        assertThat(persistence.seqs(), contains(1L, 2L, 3L, 4L, 5L, 6L));
    }

    /**
     * A 412 that rests on an earlier write of its own batch is answered only once that write is durable and
     * visible: answered before, a client could read the old value after it (and a crash could undo the write).
     */
    @Test
    void aRefusalWaitsForTheWritesOfItsBatch() throws Exception {
        open();
        store.execute(put("k", "0")); // seq 1
        persistence.hold();
        CompletableFuture<Outcome> blocker = submit(put("blocker", "0")); // seq 2, holds the worker
        persistence.awaitHeld();
        CompletableFuture<Outcome> write = submitQueued(put("k", "1"));
        CompletableFuture<Outcome> stale =
                submitQueued(new Command.Put("k", bytes("2"), new Precondition(List.of("\"1\""), null)));
        persistence.releaseAndHoldNext(); // the two queued commands are one batch, held in its append
        persistence.awaitHeld();
        assertThat(blocker.join().seq(), is(2L));
        assertThat(store.get("k").seq(), is(1L));
        assertThat(stale.isDone(), is(false));
        persistence.release();
        assertThat(write.join().seq(), is(3L));
        assertThat(failure(stale, PreconditionFailed.class).currentEtag(), is("\"3\""));
    }

    @Test
    void concurrentConditionalIncrementsLoseNoUpdate() throws Exception {
        open();
        store.execute(put("counter", "0"));
        int threads = 8;
        int increments = 50;
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            done.add(CompletableFuture.runAsync(
                    () -> {
                        for (int i = 0; i < increments; ) {
                            Entry current = store.get("counter");
                            long next = Long.parseLong(text(current.data())) + 1;
                            try {
                                store.execute(new Command.Put(
                                        "counter", bytes("" + next), new Precondition(List.of(current.etag()), null)));
                                i++;
                            } catch (PreconditionFailed e) {
                                // someone else won this round; read again and retry
                            }
                        }
                    },
                    runnable -> Thread.ofPlatform().daemon().start(runnable)));
        }
        CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).join();
        int total = threads * increments;
        assertThat(text(store.get("counter").data()), is("" + total));
        assertThat(store.lastSeq(), is(total + 1L));
        assertThat(
                persistence.seqs(),
                is(LongStream.rangeClosed(1, total + 1).boxed().toList()));
    }

    @Test
    void throwingPatchLeavesStateUnchangedAndReachesTheCaller() throws Exception {
        open();
        store.execute(put("k", "{\"v\":1}"));
        Entry before = store.get("k");
        IllegalStateException refusal = new IllegalStateException("refused by the change");
        AtomicReference<Entry> seen = new AtomicReference<>();
        Command.Patch patch = new Command.Patch(
                "k",
                (name, current) -> {
                    seen.set(current);
                    throw refusal;
                },
                NONE);
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> store.execute(patch));
        assertThat(thrown, sameInstance(refusal));
        assertThat(seen.get(), sameInstance(before));
        assertThat(store.get("k"), sameInstance(before));
        assertThat(store.lastSeq(), is(1L));
        assertThat(persistence.seqs(), contains(1L));

        // In the middle of a batch it takes nothing down with it.
        persistence.hold();
        CompletableFuture<Outcome> blocker = submit(put("blocker", "0"));
        persistence.awaitHeld();
        CompletableFuture<Outcome> first = submitQueued(put("k", "2"));
        CompletableFuture<Outcome> refused = submitQueued(new Command.Patch(
                "k",
                (name, current) -> {
                    throw refusal;
                },
                NONE));
        CompletableFuture<Outcome> patched =
                submitQueued(new Command.Patch("k", (name, current) -> bytes("[" + text(current.data()) + "]"), NONE));
        persistence.release();
        assertThat(blocker.join().seq(), is(2L));
        assertThat(first.join().seq(), is(3L));
        assertThat(failure(refused, IllegalStateException.class), sameInstance(refusal));
        assertThat(patched.join().seq(), is(4L));
        assertThat(text(store.get("k").data()), is("[2]"));
        assertThat(persistence.seqs(), contains(1L, 2L, 3L, 4L));
    }

    @Test
    void aPatchIsComputedOffTheWriterSoOtherWritesGoOnMeanwhile() throws Exception {
        open();
        store.execute(put("slow", "1"));
        CountDownLatch computing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Outcome> patched = submit(new Command.Patch(
                "slow",
                (name, current) -> {
                    computing.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return bytes("2");
                },
                NONE));
        try {
            computing.await();
            // The patch is being computed (on its caller's thread): the writer still commits other writes.
            assertThat(store.execute(put("other", "1")).seq(), is(2L));
        } finally {
            release.countDown(); // also when the writer computes patches itself: it hangs in there until then
        }
        assertThat(patched.join().seq(), is(3L));
        assertThat(text(store.get("slow").data()), is("2"));
    }

    @Test
    void anErrorWhileDecidingOneWriteFailsThatWriteAloneAndTheStoreGoesOn() throws IOException {
        open();
        store.execute(put("a", "1"));
        List<String> faulty = new java.util.AbstractList<>() { // If-Match tags whose lookup fails with an Error
                    @Override
                    public String get(int index) {
                        return "\"1\"";
                    }

                    @Override
                    public int size() {
                        return 1;
                    }

                    @Override
                    public boolean contains(Object o) {
                        throw new StackOverflowError("deciding failed");
                    }
                };
        assertThrows(
                IllegalStateException.class,
                () -> store.execute(new Command.Put("a", bytes("2"), new Precondition(faulty, null))));
        assertThat(store.failure(), nullValue());
        assertThat(store.execute(put("b", "2")).seq(), is(2L));
        assertThat(text(store.get("a").data()), is("1"));
    }

    /**
     * Imports that each fit the quota but not all together, decided while the writer is held so that each
     * has checked for room before any of them is written: each is written whole or refused whole.
     */
    @Test
    void concurrentImportsThatDoNotAllFitAreEachWholeOrRefusedWhole() throws Exception {
        long perImport = 5 * Index.cost("i0-0", bytes("\"" + "x".repeat(998) + "\""));
        store = Store.open(
                new io.microstore.local.LocalEngine(persistence, Stores.LOCAL),
                Stores.FEED,
                2 * perImport + perImport / 2);
        persistence.hold();
        CompletableFuture<Outcome> blocker = submit(put("blocker", "0"));
        persistence.awaitHeld();
        List<CompletableFuture<Importer.Report>> imports = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            List<Importer.Item> items = new ArrayList<>();
            for (int j = 0; j < 5; j++) {
                items.add(new Importer.Item("i" + i + "-" + j, bytes("\"" + "x".repeat(998) + "\"")));
            }
            CompletableFuture<Importer.Report> result = new CompletableFuture<>();
            threads.add(Thread.ofPlatform().daemon().start(() -> {
                try {
                    result.complete(Importer.run(store, items, true));
                } catch (Throwable e) {
                    result.completeExceptionally(e);
                }
            }));
            imports.add(result);
        }
        // Each import has handed its writes to the held writer (and waits for them) or been refused.
        Eventually.await(
                "every import has its answer or waits for the writer",
                Duration.ofSeconds(10),
                () -> threads.stream()
                        .allMatch(
                                t -> t.getState() == Thread.State.WAITING || t.getState() == Thread.State.TERMINATED));
        persistence.release();
        blocker.join();
        List<Throwable> refusals = new ArrayList<>();
        for (CompletableFuture<Importer.Report> i : imports) {
            refusals.add(i.handle((report, e) -> e).join()); // every answer first
        }
        for (int i = 0; i < 3; i++) {
            long written = 0;
            for (int j = 0; j < 5; j++) {
                written += store.get("i" + i + "-" + j) == null ? 0 : 1;
            }
            if (refusals.get(i) == null) {
                assertThat("import " + i + " answered, and wrote everything", written, is(5L));
            } else {
                assertThat(refusals.get(i), instanceOf(QuotaExceeded.class));
                assertThat("import " + i + " was refused, and wrote nothing", written, is(0L));
            }
        }
        assertThat(refusals.stream().filter(java.util.Objects::isNull).count(), is(2L));
    }

    @Test
    void patchOfMissingAppIsNotFound() throws IOException {
        open();
        assertThrows(AppNotFound.class, () -> store.execute(new Command.Patch("nope", (n, c) -> bytes("1"), NONE)));
        assertThat(store.get("nope"), nullValue());
        assertThat(store.lastSeq(), is(0L));
    }

    /**
     * In memory (as with fsync never or interval) a write needs no thread but its caller's: it is decided,
     * published and answered there, so it costs no hand-off and no wake-up.
     */
    @Test
    void inMemoryAWriteIsCommittedOnItsCallersThread() throws Exception {
        store = Stores.open(new MemoryPersistence(), Stores.LOCAL);
        List<Thread> committers = new CopyOnWriteArrayList<>();
        store.observe(new EngineEvents() {
            @Override
            public void batch(int mutations) {
                committers.add(Thread.currentThread());
            }

            @Override
            public void synced(long nanos) {}
        });
        assertThat(store.execute(put("a", "1")).seq(), is(1L));
        assertThat(committers, contains(Thread.currentThread()));
    }

    @Test
    void fullQueueIsStoreBusy() throws Exception {
        open(new LocalConfig(1, FsyncPolicy.ALWAYS, Duration.ofMillis(100)));
        persistence.hold();
        CompletableFuture<Outcome> inWorker = submit(put("a", "1"));
        persistence.awaitHeld(); // the worker took it: the queue is empty again
        CompletableFuture<Outcome> queued = submitQueued(put("b", "2")); // the queue's only slot
        assertThrows(StoreBusy.class, () -> store.execute(put("c", "3")));
        persistence.release();
        assertThat(inWorker.join().seq(), is(1L));
        assertThat(queued.join().seq(), is(2L));
        assertThat(store.get("c"), nullValue());
        assertThat(store.execute(put("c", "3")).seq(), is(3L)); // room again
    }

    @Test
    void closeFinishesQueuedWritesThenRefusesNewOnes() throws Exception {
        open();
        persistence.hold();
        CompletableFuture<Outcome> inWorker = submit(put("a", "1"));
        persistence.awaitHeld();
        CompletableFuture<Outcome> queued1 = submitQueued(put("b", "2"));
        CompletableFuture<Outcome> queued2 = submitQueued(new Command.Delete("a", NONE));
        CompletableFuture<Void> closed = CompletableFuture.runAsync(
                store::close, runnable -> Thread.ofPlatform().daemon().start(runnable));
        awaitTrue(() -> store.failure() != null);
        assertThrows(StoreUnavailable.class, () -> store.execute(put("late", "1")));
        assertThat(closed.isDone(), is(false));
        persistence.release();
        closed.join();

        assertThat(inWorker.join().seq(), is(1L));
        assertThat(queued1.join().seq(), is(2L));
        assertThat(queued2.join().seq(), is(3L));
        assertThat(store.get("a"), nullValue());
        assertThat(text(store.get("b").data()), is("2"));
        assertThat(persistence.closed, is(true));
        assertThrows(StoreUnavailable.class, () -> store.execute(put("later", "1")));
        assertThat(store.get("later"), nullValue());
        assertThat(store.get("late"), nullValue());
        assertThat(persistence.seqs(), contains(1L, 2L, 3L));
    }

    @Test
    void failedAppendFailsItsBatchAndEveryLaterWrite() throws Exception {
        persistence.failAppendAt = 3;
        failedPersistenceStopsTheStore(IOException.class);
    }

    /**
     * The next writes are decided and appended while the previous one's sync is in flight (group commit);
     * when that sync fails, neither its write nor those appended meanwhile is acknowledged or visible, and
     * nothing is written after it.
     */
    @Test
    void aSyncFailingWhileTheWriterAppendsAcknowledgesNothingAfterIt() throws Exception {
        open();
        store.execute(put("a", "1")); // sync 1
        persistence.failSyncAt = 2;
        persistence.holdSync();
        CompletableFuture<Outcome> synced;
        List<CompletableFuture<Outcome>> appended;
        try {
            synced = submit(put("blocker", "1"));
            persistence.awaitSyncHeld(); // its sync is in flight ...
            appended =
                    List.of(submit(put("x", "1")), submit(put("a", "2")), submit(new Command.Delete("blocker", NONE)));
            awaitTrue(() -> persistence.added() == 3); // ... while the next ones are decided and appended
            assertThat(
                    "nothing waits on the sync's outcome",
                    appended.stream().anyMatch(CompletableFuture::isDone),
                    is(false));
        } finally {
            persistence.releaseSync(); // the store can close even where the writer never appended
        }
        for (CompletableFuture<Outcome> write : concat(synced, appended)) {
            StoreUnavailable e = failure(write, StoreUnavailable.class);
            assertThat(e.getCause(), instanceOf(IOException.class));
        }
        assertThat(store.get("x"), nullValue());
        assertThat(store.get("blocker"), nullValue());
        assertThat(text(store.get("a").data()), is("1"));
        assertThat(store.lastSeq(), is(1L));
        assertThat(store.failure(), notNullValue());
        int appends = persistence.appends.get();
        assertThrows(StoreUnavailable.class, () -> store.execute(put("y", "1")));
        assertThat("nothing more is written after the failure", persistence.appends.get(), is(appends));
        assertThat("no sync is tried again", persistence.syncs.get(), is(2));
    }

    private static List<CompletableFuture<Outcome>> concat(
            CompletableFuture<Outcome> first, List<CompletableFuture<Outcome>> rest) {
        List<CompletableFuture<Outcome>> all = new ArrayList<>(rest);
        all.addFirst(first);
        return all;
    }

    /** The third append or sync fails: it carries a batch of three writes queued behind a held second batch. */
    private void failedPersistenceStopsTheStore(Class<? extends Exception> cause) throws Exception {
        open();
        store.execute(put("a", "1")); // batch 1
        persistence.hold();
        CompletableFuture<Outcome> blocker = submit(put("blocker", "1")); // batch 2
        persistence.awaitHeld();
        List<CompletableFuture<Outcome>> doomed = List.of( // batch 3
                submitQueued(put("x", "1")),
                submitQueued(put("a", "2")),
                submitQueued(new Command.Delete("blocker", NONE)));
        persistence.release();
        assertThat(blocker.join().seq(), is(2L));
        for (CompletableFuture<Outcome> write : doomed) {
            StoreUnavailable e = failure(write, StoreUnavailable.class);
            assertThat(e.getCause(), instanceOf(cause));
        }
        assertThat(store.get("x"), nullValue());
        assertThat(text(store.get("a").data()), is("1"));
        assertThat(store.get("a").seq(), is(1L));
        assertThat(store.get("blocker").seq(), is(2L));
        assertThat(store.lastSeq(), is(2L));
        assertThat(store.failure(), notNullValue());

        int appends = persistence.appends.get();
        assertThrows(StoreUnavailable.class, () -> store.execute(put("y", "1")));
        assertThrows(StoreUnavailable.class, () -> store.execute(new Command.Delete("a", NONE)));
        assertThrows(StoreUnavailable.class, () -> store.execute(put("a", "3")));
        assertThat(store.get("y"), nullValue());
        assertThat(text(store.get("a").data()), is("1"));
        assertThat("nothing more is written after the failure", persistence.appends.get(), is(appends));
    }

    @Test
    void failureDuringTheFirstWriteLeavesNothingVisible() throws IOException {
        persistence.failAppendAt = 1;
        open();
        assertThrows(StoreUnavailable.class, () -> store.execute(put("a", "1")));
        assertThat(store.get("a"), nullValue());
        assertThat(store.list("", null, 10).items(), empty());
        assertThrows(StoreUnavailable.class, () -> store.execute(put("b", "1")));
    }

    // --- helpers -------------------------------------------------------------------------------

    private static Command.Put put(String name, String json) {
        return new Command.Put(name, bytes(json), NONE);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    /** Runs {@code store.execute(command)} on a thread of its own. */
    private CompletableFuture<Outcome> submit(Command command) {
        CompletableFuture<Outcome> result = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> {
            try {
                result.complete(store.execute(command));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    /**
     * Like {@link #submit}, but returns only once the command is in the queue: its thread is parked waiting
     * for the result. Only meaningful while the worker is held, so commands queue in the order given.
     */
    private CompletableFuture<Outcome> submitQueued(Command command) {
        AtomicReference<Thread> thread = new AtomicReference<>();
        CompletableFuture<Outcome> result = new CompletableFuture<>();
        thread.set(Thread.ofPlatform().daemon().start(() -> {
            try {
                result.complete(store.execute(command));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        }));
        awaitTrue(() -> thread.get().getState() == Thread.State.WAITING || result.isDone());
        return result;
    }

    private static <T extends Throwable> T failure(CompletableFuture<?> future, Class<T> type) {
        try {
            future.join();
        } catch (CompletionException e) {
            assertThat(e.getCause(), instanceOf(type));
            return type.cast(e.getCause());
        }
        return fail("expected " + type.getSimpleName() + " but the write succeeded");
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("condition not met within 10 s");
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    /** A Persistence that records what it is given, can hold the writer inside write, and can fail. */
    private static final class TestPersistence implements Persistence {
        final List<Commit> appended = new CopyOnWriteArrayList<>();
        final AtomicInteger appends = new AtomicInteger();
        final AtomicInteger syncs = new AtomicInteger();
        volatile int failAppendAt; // 1-based number of the append call that throws; 0 = none
        volatile int failSyncAt;
        volatile boolean closed;
        private volatile CountDownLatch entered = new CountDownLatch(1);
        private volatile CountDownLatch gate = new CountDownLatch(0);

        /** The next append blocks until {@link #release()}. */
        void hold() {
            entered = new CountDownLatch(1);
            gate = new CountDownLatch(1);
        }

        void awaitHeld() throws InterruptedException {
            if (!entered.await(10, TimeUnit.SECONDS)) {
                fail("the worker never reached append");
            }
        }

        void release() {
            gate.countDown();
        }

        /** Lets the held append go on and holds the next one. */
        void releaseAndHoldNext() {
            CountDownLatch held = gate;
            hold();
            held.countDown();
        }

        List<Long> seqs() {
            return appended.stream().map(Commit::seq).toList();
        }

        @Override
        public long load(CommitStream stream) {
            return 0;
        }

        private final List<Commit> added = new ArrayList<>();

        /** Records appended and not yet written. */
        synchronized int added() {
            return added.size();
        }

        @Override
        public synchronized void append(Commit commit) {
            added.add(commit);
        }

        @Override
        public void write() throws IOException {
            List<Commit> batch;
            synchronized (this) {
                batch = List.copyOf(added);
                added.clear();
            }
            int call = appends.incrementAndGet();
            entered.countDown();
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            if (call == failAppendAt) {
                throw new IOException("disk full (test)");
            }
            appended.addAll(batch);
        }

        private volatile CountDownLatch syncEntered = new CountDownLatch(1);
        private volatile CountDownLatch syncGate = new CountDownLatch(0);

        /** The next sync blocks until {@link #releaseSync()}. */
        void holdSync() {
            syncEntered = new CountDownLatch(1);
            syncGate = new CountDownLatch(1);
        }

        void awaitSyncHeld() throws InterruptedException {
            if (!syncEntered.await(10, TimeUnit.SECONDS)) {
                fail("the engine never reached sync");
            }
        }

        void releaseSync() {
            syncGate.countDown();
        }

        @Override
        public void sync() throws IOException {
            syncEntered.countDown();
            try {
                syncGate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            if (syncs.incrementAndGet() == failSyncAt) {
                throw new IOException("fsync failed (test)");
            }
        }

        @Override
        public String describe() {
            return "test";
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
