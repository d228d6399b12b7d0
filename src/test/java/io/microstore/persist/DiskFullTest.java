package io.microstore.persist;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.concurrent.CompletableFuture;

import io.microstore.commit.Commit;
import io.microstore.local.LocalEngine;
import io.microstore.persist.FaultyFileOps.Kind;
import io.microstore.persist.JournalFiles.Loaded;
import io.microstore.store.Command;
import io.microstore.store.NoSpace;
import io.microstore.store.Outcome;
import io.microstore.store.Precondition;
import io.microstore.store.Store;
import io.microstore.store.StoreUnavailable;
import io.microstore.testing.Eventually;
import io.microstore.testing.Stores;
import io.microstore.testing.TestClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.microstore.persist.JournalFiles.commits;
import static io.microstore.persist.JournalFiles.fileNames;
import static io.microstore.persist.JournalFiles.load;
import static io.microstore.persist.JournalFiles.put;
import static io.microstore.persist.JournalFiles.segmentName;
import static io.microstore.persist.JournalFiles.snapshotName;
import static io.microstore.persist.JournalFiles.stateOf;
import static io.microstore.persist.JournalFiles.writeSegment;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A full disk (ENOSPC, EDQUOT) through {@link FaultyFileOps}: writes get {@link NoSpace} and their
 * partial records are cut off, reads go on, the store says why, and writes resume by themselves once
 * there is room; a compaction without room harms nothing; a failed fsync is still fail-stop; a store
 * starts on a full disk. The real-filesystem counterpart is {@code DiskFullAsRootIT}.
 */
class DiskFullTest {
    private static final String ENOSPC = "No space left on device";
    private static final String EDQUOT = "Disk quota exceeded";
    private static final Duration RESUME = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private Store open(FaultyFileOps ops) throws IOException {
        return JournalFiles.openStore(new JournalConfig(dir, Stores.MIN_JOURNAL_BYTES, ops), Stores.LOCAL);
    }

    @ParameterizedTest
    @ValueSource(strings = {ENOSPC, EDQUOT})
    void aFullDiskRefusesTheBatchCutsItOffAndWritesResumeWhenThereIsRoom(String error) throws Exception {
        FaultyFileOps ops = new FaultyFileOps();
        List<Commit> acknowledged = new ArrayList<>();
        try (Store store = open(ops)) {
            for (int i = 1; i <= 3; i++) {
                acknowledged.add(put(put(store, "a" + i, "{\"i\":" + i + "}").seq(), "a" + i, "{\"i\":" + i + "}"));
            }
            Path segment = dir.resolve(segmentName(1));
            byte[] before = Files.readAllBytes(segment);
            ops.fill(error);
            // a batch of several writes whose write appends half of its bytes, then fails
            List<CompletableFuture<Outcome>> batch = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                batch.add(CompletableFuture.supplyAsync(() -> put(store, "big", "\"" + "b".repeat(100_000) + "\"")));
            }
            for (CompletableFuture<Outcome> f : batch) {
                Throwable e = assertThrows(Exception.class, f::join).getCause();
                assertEquals(NoSpace.class, e.getClass(), String.valueOf(e));
                assertThat(e.getMessage(), containsString(error));
            }
            assertArrayEquals(before, Files.readAllBytes(segment), "the partial records were cut off");
            assertThat(store.failure(), containsString(error));
            assertEquals("{\"i\":2}", new String(store.get("a2").data(), StandardCharsets.UTF_8), "reads go on");
            int writes = ops.calls(Kind.WRITE);
            assertThrows(NoSpace.class, () -> put(store, "refused", "1"));
            assertThrows(NoSpace.class, () -> JournalFiles.delete(store, "a1"));

            ops.makeRoom();
            Eventually.await("writes resume once there is room", RESUME, () -> store.failure() == null);
            assertThat("the writer probed for room by itself", ops.calls(Kind.WRITE), not(writes));
            Outcome next = put(store, "after", "4");
            assertEquals(4, next.seq(), "the refused writes used no seq");
            acknowledged.add(put(4, "after", "4"));
            Outcome created = store.execute(
                    new Command.Put("big", "5".getBytes(StandardCharsets.UTF_8), new Precondition(null, List.of("*"))));
            assertEquals(5, created.seq(), "a later write's condition sees none of the refused writes");
            acknowledged.add(put(5, "big", "5"));
        }
        assertEquals(new Loaded(5, stateOf(acknowledged)), load(dir));
        assertThat(fileNames(dir), everyItem(not(endsWith(".tmp"))));
    }

    @Test
    void whileTheDiskStaysFullTheProbeKeepsFailingAndNothingIsWritten() throws Exception {
        FaultyFileOps ops = new FaultyFileOps();
        try (Store store = open(ops)) {
            put(store, "a", "1");
            ops.fill(ENOSPC);
            assertThrows(NoSpace.class, () -> put(store, "b", "2"));
            int failures = ops.failures();
            Eventually.await("a probe ran and failed", RESUME, () -> ops.failures() > failures);
            assertThat(store.failure(), containsString(ENOSPC));
            assertThrows(NoSpace.class, () -> put(store, "b", "2"));
            ops.makeRoom();
            Eventually.await("writes resume", RESUME, () -> store.failure() == null);
            assertEquals(2, put(store, "b", "2").seq());
        }
        assertEquals(2, load(dir).lastSeq());
    }

    @Test
    void aFailedFsyncStaysFailStopEvenWhenItSaysNoSpace() throws Exception {
        FaultyFileOps ops = new FaultyFileOps();
        TestClock clock = new TestClock();
        JournalPersistence journal = JournalPersistence.open(new JournalConfig(dir, Stores.MIN_JOURNAL_BYTES, ops));
        try (Store store = Store.open(new LocalEngine(journal, Stores.LOCAL, clock), Stores.FEED)) {
            put(store, "a", "1");
            ops.failNth(Kind.FORCE, 1, ENOSPC);
            assertThrows(StoreUnavailable.class, () -> put(store, "b", "2"));
            clock.advance(Duration.ofHours(1)); // long past the space probe's period
            assertNotNull(store.failure());
            assertThrows(StoreUnavailable.class, () -> put(store, "c", "3"));
            int opened = ops.calls(Kind.OPEN);
            store.close(); // the writer's last round: a probe would be due on its clock, and must not run
            assertEquals(opened, ops.calls(Kind.OPEN), "no probe for room after a failed fsync");
            assertEquals(1, ops.failures());
        } catch (RuntimeException e) {
            // closing after a fail-stop may report the earlier failure
        }
        assertThat(load(dir).state().keySet(), hasItem("a"));
    }

    @Test
    void aSnapshotWithoutRoomIsDeletedAndRetriedAndTheCurrentFilesStay() throws Exception {
        FaultyFileOps ops = new FaultyFileOps();
        SortedMap<String, String> state;
        try (Store store = open(ops)) {
            put(store, "a", "1");
            assertEquals(1, store.compact().seq());
            put(store, "b", "2");
            byte[] snapshot = Files.readAllBytes(dir.resolve(snapshotName(1)));
            byte[] journal = Files.readAllBytes(dir.resolve(segmentName(2)));
            ops.fill(ENOSPC);
            NoSpace e = assertThrows(NoSpace.class, store::compact);
            assertThat(e.getMessage(), containsString("compaction"));
            assertArrayEquals(snapshot, Files.readAllBytes(dir.resolve(snapshotName(1))));
            assertArrayEquals(journal, Files.readAllBytes(dir.resolve(segmentName(2))));
            assertThat(fileNames(dir), everyItem(not(endsWith(".tmp"))));
            assertNull(store.failure(), "the journal was not touched: the store takes writes");
            ops.makeRoom();
            put(store, "c", "3");
            assertEquals(3, store.compact().seq(), "a later compaction succeeds");
            state = stateOf(store);
        }
        assertEquals(new Loaded(3, state), load(dir));
        assertEquals(List.of(segmentName(4), snapshotName(3)), fileNames(dir));
    }

    @Test
    void aCompactionWithoutRoomForItsNewSegmentGoesOnInTheOldOne() throws Exception {
        FaultyFileOps ops = new FaultyFileOps();
        SortedMap<String, String> state;
        try (Store store = open(ops)) {
            put(store, "a", "1");
            ops.failNth(Kind.FORCE, 2, ENOSPC); // 1: the segment cut, 2: the new segment
            assertThrows(NoSpace.class, store::compact);
            assertNull(store.failure());
            assertEquals(
                    List.of(segmentName(1)),
                    fileNames(dir).stream().filter(n -> !n.equals("LOCK")).toList());
            put(store, "b", "2");
            state = stateOf(store);
        }
        assertEquals(new Loaded(2, state), load(dir));
    }

    @Test
    void aStoreStartsOnAFullDiskWithATornTailAndCutsItOnceThereIsRoom() throws Exception {
        List<Commit> history = commits(1, 5);
        Path segment = writeSegment(dir, 1, history);
        long size = Files.size(segment);
        JournalFiles.append(segment, "{\"seq\":6,\"op\":\"put\",\"na".getBytes(StandardCharsets.UTF_8));
        FaultyFileOps ops = new FaultyFileOps().fill(ENOSPC);
        List<Commit> acknowledged = new ArrayList<>(history);
        try (Store store = open(ops)) {
            assertEquals(5, store.lastSeq());
            assertEquals(stateOf(history), stateOf(store), "it serves reads");
            assertThat(store.failure(), containsString("no space"));
            assertThrows(NoSpace.class, () -> put(store, "x", "1"));
            assertThrows(NoSpace.class, store::compact);
            assertThat(fileNames(dir), everyItem(not(endsWith(".broken"))));
            ops.makeRoom();
            Eventually.await("writes resume", RESUME, () -> store.failure() == null);
            assertEquals(size, Files.size(segment), "the torn tail was cut before the first write");
            assertEquals(6, put(store, "x", "1").seq());
            acknowledged.add(put(6, "x", "1"));
        }
        assertThat(fileNames(dir), hasItem(segmentName(1) + ".broken"));
        assertEquals(new Loaded(6, stateOf(acknowledged)), load(dir));
    }

    @Test
    void aStoreThatStartedWithoutRoomForItsFirstSegmentClosesCleanly() throws Exception {
        FaultyFileOps ops = new FaultyFileOps().failNth(Kind.FORCE, 1, ENOSPC);
        try (Store store = open(ops)) {
            assertThat(store.failure(), containsString(ENOSPC));
        }
        assertEquals(new Loaded(0, stateOf(List.of())), load(dir));
    }

    @Test
    void aStoreStartsWhenItsFirstSegmentCannotBeCreatedForLackOfSpace() throws Exception {
        FaultyFileOps ops = new FaultyFileOps().failNth(Kind.FORCE, 1, EDQUOT);
        try (Store store = open(ops)) {
            assertThat(store.failure(), containsString(EDQUOT));
            assertThrows(NoSpace.class, () -> put(store, "x", "1"));
            Eventually.await("writes resume", RESUME, () -> store.failure() == null);
            assertEquals(1, put(store, "x", "1").seq());
        }
        assertEquals(new Loaded(1, stateOf(List.of(put(1, "x", "1")))), load(dir));
    }
}
