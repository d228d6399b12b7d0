package io.microstore.persist;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import io.microstore.commit.Change;
import io.microstore.commit.Commit;
import io.microstore.commit.Compaction;
import io.microstore.local.FsyncPolicy;
import io.microstore.local.LocalConfig;
import io.microstore.persist.FaultyFileOps.Kind;
import io.microstore.persist.JournalFiles.Loaded;
import io.microstore.persist.JournalFiles.StateSink;
import io.microstore.store.Command;
import io.microstore.store.Entry;
import io.microstore.store.Outcome;
import io.microstore.store.Precondition;
import io.microstore.store.Store;
import io.microstore.store.StoreUnavailable;
import io.microstore.testing.Stores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import static io.microstore.persist.JournalFiles.delete;
import static io.microstore.persist.JournalFiles.fileNames;
import static io.microstore.persist.JournalFiles.load;
import static io.microstore.persist.JournalFiles.openStore;
import static io.microstore.persist.JournalFiles.put;
import static io.microstore.persist.JournalFiles.segmentName;
import static io.microstore.persist.JournalFiles.snapshotName;
import static io.microstore.persist.JournalFiles.stateOf;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class JournalPersistenceTest {
    private static final String MIB_VALUE = "\"" + "m".repeat(1 << 20) + "\"";

    @TempDir
    Path dir;

    /** Names and values that exercise escaping, UTF-8 and long lines, as puts and deletes with seq 1.. */
    private static List<Commit> variedHistory() {
        List<String> names = JournalFiles.UNUSUAL_NAMES;
        List<String> values = new ArrayList<>(JournalFiles.UNUSUAL_VALUES);
        values.add(MIB_VALUE);
        values.add("{\"big\":\"" + "ü".repeat(600_000) + "\"}"); // 1.2 MB of two-byte characters
        List<Commit> history = new ArrayList<>();
        long seq = 1;
        for (int i = 0; i < names.size(); i++) {
            history.add(put(seq++, names.get(i), values.get(i % values.size())));
        }
        for (int i = 0; i < names.size(); i += 2) {
            history.add(delete(seq++, names.get(i)));
        }
        history.add(put(seq++, names.get(0), MIB_VALUE)); // re-created after its delete
        history.add(put(seq++, names.get(1), values.getLast()));
        return history;
    }

    // --- round trips ---

    @Test
    void aTransactionOfOneWriteKeepsItsDeadline() throws IOException {
        byte[] data = "{\"lock\":\"me\"}".getBytes(StandardCharsets.UTF_8);
        try (JournalPersistence journal = JournalPersistence.open(Stores.journal(dir))) {
            journal.load(new StateSink());
            journal.append(new Commit(1, List.of(Change.put("lock", data, 1_767_225_600_000L))));
            journal.write();
            journal.sync();
        }
        assertEquals(
                new Loaded(1, new TreeMap<>(Map.of("lock", "1 {\"lock\":\"me\"} expires 1767225600000"))), load(dir));
    }

    @Test
    void variedRecordsSurviveCloseAndReopen() throws IOException {
        List<Commit> history = variedHistory();
        try (JournalPersistence journal = JournalPersistence.open(Stores.journal(dir))) {
            assertEquals(0, journal.load(new StateSink()));
            int from = 0;
            for (int size = 1; from < history.size(); size = size % 4 + 1) { // batches of 1..4 records
                int to = Math.min(history.size(), from + size);
                JournalFiles.append(journal, history.subList(from, to));
                journal.sync();
                from = to;
            }
        }
        assertEquals(new Loaded(history.size(), stateOf(history)), load(dir));

        long next = history.size() + 1;
        try (JournalPersistence journal = JournalPersistence.open(Stores.journal(dir))) {
            assertEquals(next - 1, journal.load(new StateSink()));
            JournalFiles.append(journal, List.of(put(next, "after reopen", "\"appended to the same journal\"")));
            journal.sync();
        }
        history.add(put(next, "after reopen", "\"appended to the same journal\""));
        assertEquals(new Loaded(next, stateOf(history)), load(dir));
    }

    @Test
    void aStoreOverTheJournalComesBackWithTheSameStateAndEtags() throws IOException {
        SortedMap<String, String> before;
        long lastSeq;
        try (Store store = openStore(dir)) {
            for (Commit commit : variedHistory()) {
                Change m = commit.only();
                if (m.name().chars().anyMatch(Character::isISOControl)) {
                    continue; // the journal keeps any name (above), the store only valid ones
                }
                if (m.isDelete()) {
                    delete(store, m.name());
                } else {
                    store.execute(new Command.Put(m.name(), m.data(), Precondition.NONE));
                }
            }
            before = stateOf(store);
            lastSeq = store.lastSeq();
        }
        try (Store store = openStore(dir)) {
            assertEquals(before, stateOf(store), "values and the seqs their ETags are made of");
            assertEquals(lastSeq, store.lastSeq());
            Entry plain = store.get("plain");
            assertEquals("\"" + plain.seq() + "\"", plain.etag());
            Outcome next = put(store, "plain", "1");
            assertEquals(lastSeq + 1, next.seq(), "seqs, and so ETags, never repeat across a restart");
        }
    }

    // --- compaction ---

    @Test
    void compactionLeavesOneSnapshotAndTheNewSegment() throws IOException {
        SortedMap<String, String> state;
        long lastSeq;
        try (Store store = openStore(dir)) {
            writeSome(store, 1, 40);
            Compaction first = store.compact();
            assertEquals(40, first.seq());
            assertEquals(store.size(), first.apps());
            assertEquals(List.of(segmentName(41), snapshotName(40)), fileNames(dir));

            writeSome(store, 41, 50);
            Compaction second = store.compact();
            assertEquals(50, second.seq());
            assertEquals(List.of(segmentName(51), snapshotName(50)), fileNames(dir), "the older ones are deleted");

            writeSome(store, 51, 55);
            state = stateOf(store);
            lastSeq = store.lastSeq();
        }
        assertEquals(new Loaded(lastSeq, state), load(dir));
        assertEquals(List.of(segmentName(51), snapshotName(50)), fileNames(dir));
    }

    @Test
    void aSmallJournalThresholdCompactsByItself() throws IOException {
        FaultyFileOps ops = new FaultyFileOps(); // fails nothing; counts the snapshots' renames
        SortedMap<String, String> state;
        long lastSeq;
        try (Store store = openStore(new JournalConfig(dir, 2048, ops), Stores.LOCAL)) {
            writeSome(store, 1, 120);
            state = stateOf(store);
            lastSeq = store.lastSeq();
        } // close waits for a running compaction
        assertThat(ops.calls(Kind.MOVE), greaterThanOrEqualTo(2));
        List<String> names = fileNames(dir);
        assertEquals(2, names.size(), "one snapshot and one segment: " + names);
        long snapshotSeq = Long.parseLong(names.get(1).replaceAll("\\D", ""));
        assertEquals(List.of(segmentName(snapshotSeq + 1), snapshotName(snapshotSeq)), names);
        assertEquals(new Loaded(lastSeq, state), load(dir));
    }

    @ParameterizedTest
    @EnumSource(
            value = FsyncPolicy.class,
            names = {"ALWAYS", "NEVER"})
    void compactionWhileSeveralThreadsWriteLosesNothing(FsyncPolicy fsync) throws Exception {
        FaultyFileOps ops = new FaultyFileOps(); // fails nothing; counts the snapshots' renames
        Map<String, String> acknowledged = new ConcurrentHashMap<>(); // each thread owns its names
        LocalConfig storeConfig = new LocalConfig(1024, fsync, Duration.ofMillis(10));
        try (Store store = openStore(new JournalConfig(dir, 4096, ops), storeConfig);
                ExecutorService writers = Executors.newFixedThreadPool(4)) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                done.add(writers.submit(() -> {
                    for (int n = 0; n < 400; n++) {
                        String name = "t" + thread + "/k" + n % 10;
                        if (n % 9 == 8) {
                            delete(store, name);
                            acknowledged.remove(name);
                        } else {
                            String json =
                                    "{\"t\":" + thread + ",\"n\":" + n + ",\"pad\":\"" + "p".repeat(n % 150) + "\"}";
                            acknowledged.put(name, put(store, name, json).seq() + " " + json);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            assertEquals(new TreeMap<>(acknowledged), stateOf(store));
        }
        // How many compactions fit in the run depends on scheduling; at least one ran under the writes.
        assertThat(ops.calls(Kind.MOVE), greaterThanOrEqualTo(1));
        assertEquals(new TreeMap<>(acknowledged), load(dir).state());
    }

    // --- failures through FileOps ---

    private enum Fault {
        WRITE,
        TORN_WRITE,
        FORCE;

        void arm(FaultyFileOps ops, int k) {
            switch (this) {
                case WRITE -> ops.failNth(Kind.WRITE, k);
                case TORN_WRITE -> ops.tearNthWrite(k);
                case FORCE -> ops.failNth(Kind.FORCE, k);
            }
        }
    }

    static Stream<Arguments> faults() {
        return Stream.of(Fault.values())
                .flatMap(f -> IntStream.rangeClosed(1, 6).mapToObj(k -> Arguments.of(f, k)));
    }

    /** With fsync always, each write below is one append (one write call) and one sync (one force call). */
    @ParameterizedTest(name = "{0} #{1}")
    @MethodSource("faults")
    void aFailedJournalWriteIsNotAcknowledgedAndEveryAcknowledgedWriteSurvives(Fault fault, int k) throws IOException {
        FaultyFileOps ops = new FaultyFileOps();
        List<Commit> acknowledged = new ArrayList<>();
        Commit inFlight = null;
        try (Store store = openStore(new JournalConfig(dir, Stores.MIN_JOURNAL_BYTES, ops), Stores.LOCAL)) {
            fault.arm(ops, k);
            for (int i = 1; i <= 8; i++) {
                String name = "app-" + i % 3;
                boolean isDelete = i % 4 == 0; // always of an app that exists, so every write gets a seq
                String json = "{\"i\":" + i + "}";
                try {
                    long seq = (isDelete ? delete(store, name) : put(store, name, json)).seq();
                    acknowledged.add(isDelete ? delete(seq, name) : put(seq, name, json));
                } catch (StoreUnavailable e) {
                    if (inFlight == null) {
                        long seq = acknowledged.size() + 1;
                        inFlight = isDelete ? delete(seq, name) : put(seq, name, json);
                    }
                }
            }
            assertEquals(k - 1, acknowledged.size(), "acknowledged before the failure, and none after it");
            assertEquals(1, ops.failures());
            assertNotNull(store.failure());
        }

        Loaded recovered = load(dir);
        long acknowledgedSeq = k - 1;
        if (fault == Fault.FORCE && recovered.lastSeq() == acknowledgedSeq + 1) {
            acknowledged.add(inFlight); // written, only its sync failed: it may come back, unacknowledged
        }
        assertEquals(new Loaded(acknowledged.size(), stateOf(acknowledged)), recovered);
    }

    /** The forces of one compaction: cut the segment, create the next one, the snapshot file, the journal again. */
    private static final int CUT_SEGMENT = 1;

    private static final int NEW_SEGMENT = 2;
    private static final int JOURNAL_BEFORE_RENAME = 4;

    @ParameterizedTest
    @ValueSource(ints = {CUT_SEGMENT, NEW_SEGMENT, JOURNAL_BEFORE_RENAME})
    void aFailedJournalForceDuringCompactionStopsWrites(int nthForce) throws IOException {
        FaultyFileOps ops = new FaultyFileOps();
        SortedMap<String, String> state;
        try (Store store = openStore(new JournalConfig(dir, Stores.MIN_JOURNAL_BYTES, ops), Stores.LOCAL)) {
            writeSome(store, 1, 10);
            state = stateOf(store);
            ops.failNth(Kind.FORCE, nthForce);
            assertThrows(StoreUnavailable.class, store::compact);
            assertThrows(StoreUnavailable.class, () -> put(store, "after", "1"));
            assertNotNull(store.failure());
        }
        assertEquals(new Loaded(10, state), load(dir));
        assertThat(fileNames(dir), everyItem(not(endsWith(".tmp"))));
        if (nthForce == JOURNAL_BEFORE_RENAME) {
            assertFalse(fileNames(dir).contains(snapshotName(10)), "the snapshot never counted");
        }
    }

    @Test
    void closingRightAfterAFailedCompactionSyncReleasesTheDirectory() throws IOException {
        FaultyFileOps ops = new FaultyFileOps();
        SortedMap<String, String> state;
        Store store = openStore(new JournalConfig(dir, Stores.MIN_JOURNAL_BYTES, ops), Stores.LOCAL);
        writeSome(store, 1, 10);
        state = stateOf(store);
        ops.failNth(Kind.FORCE, JOURNAL_BEFORE_RENAME);
        assertThrows(StoreUnavailable.class, store::compact);
        try {
            store.close(); // no write came after the failure
        } catch (UncheckedIOException e) {
            // reporting the earlier failure is fine; keeping the directory locked is not
        }
        assertEquals(new Loaded(10, state), load(dir));
    }

    static Stream<Arguments> snapshotFaults() {
        return Stream.of(
                Arguments.of(Kind.OPEN, 2),
                Arguments.of(Kind.WRITE, 1),
                Arguments.of(Kind.FORCE, 3),
                Arguments.of(Kind.MOVE, 1),
                Arguments.of(Kind.SYNC_DIRECTORY, 2));
    }

    @ParameterizedTest(name = "{0} #{1}")
    @MethodSource("snapshotFaults")
    void aFailedSnapshotWriteLeavesTheJournalCompleteAndTheStoreWritable(Kind kind, int nth) throws IOException {
        FaultyFileOps ops = new FaultyFileOps();
        SortedMap<String, String> state;
        try (Store store = openStore(new JournalConfig(dir, Stores.MIN_JOURNAL_BYTES, ops), Stores.LOCAL)) {
            writeSome(store, 1, 10);
            ops.failNth(kind, nth);
            assertThrows(StoreUnavailable.class, store::compact);
            assertEquals(1, ops.failures());
            assertNull(store.failure(), "a failed snapshot does not touch the journal");
            writeSome(store, 11, 12);
            state = stateOf(store);
        }
        assertEquals(new Loaded(12, state), load(dir));
        assertThat(fileNames(dir), everyItem(not(endsWith(".tmp"))));
    }

    @Test
    void aCompactionAfterAFailedOneSucceeds() throws IOException {
        FaultyFileOps ops = new FaultyFileOps();
        SortedMap<String, String> state;
        try (Store store = openStore(new JournalConfig(dir, Stores.MIN_JOURNAL_BYTES, ops), Stores.LOCAL)) {
            writeSome(store, 1, 10);
            ops.failNth(Kind.MOVE, 1);
            assertThrows(StoreUnavailable.class, store::compact);
            writeSome(store, 11, 12);
            assertEquals(12, store.compact().seq());
            state = stateOf(store);
        }
        assertEquals(new Loaded(12, state), load(dir));
        assertEquals(List.of(segmentName(13), snapshotName(12)), fileNames(dir));
    }

    @Test
    void aStoreOnAFailingDiskDoesNotOpen() throws IOException {
        FaultyFileOps ops = new FaultyFileOps();
        ops.failNth(Kind.FORCE, 1); // the first segment's creation cannot be made durable
        assertThrows(IOException.class, () -> openStore(new JournalConfig(dir, 4096, ops), Stores.LOCAL));
        assertThat(load(dir).state().entrySet(), empty());
    }

    /** Puts (and every fifth time a delete of an existing app) for seq {@code from..to}, one at a time. */
    private static void writeSome(Store store, int from, int to) {
        for (int i = from; i <= to; i++) {
            String name = "app-" + i % 7;
            Outcome outcome = i % 5 == 0 && store.get(name) != null
                    ? delete(store, name)
                    : put(store, name, "{\"i\":" + i + ",\"s\":\"" + "x".repeat(i % 50) + "\"}");
            assertEquals(i, outcome.seq());
        }
    }
}
