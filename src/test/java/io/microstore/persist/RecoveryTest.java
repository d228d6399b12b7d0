package io.microstore.persist;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import io.microstore.commit.Commit;
import io.microstore.persist.JournalFiles.Loaded;
import io.microstore.persist.JournalFiles.StateSink;
import io.microstore.store.Store;
import io.microstore.testing.Changes;
import io.microstore.testing.Stores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static io.microstore.persist.JournalFiles.bytes;
import static io.microstore.persist.JournalFiles.commits;
import static io.microstore.persist.JournalFiles.copyDir;
import static io.microstore.persist.JournalFiles.delete;
import static io.microstore.persist.JournalFiles.fileNames;
import static io.microstore.persist.JournalFiles.flipByte;
import static io.microstore.persist.JournalFiles.lineStarts;
import static io.microstore.persist.JournalFiles.load;
import static io.microstore.persist.JournalFiles.openStore;
import static io.microstore.persist.JournalFiles.put;
import static io.microstore.persist.JournalFiles.segmentName;
import static io.microstore.persist.JournalFiles.snapshotName;
import static io.microstore.persist.JournalFiles.stateOf;
import static io.microstore.persist.JournalFiles.truncate;
import static io.microstore.persist.JournalFiles.writeSegment;
import static io.microstore.persist.JournalFiles.writeSnapshot;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecoveryTest {
    @TempDir
    Path dir;

    private record Recovered(Recovery.Result result, StateSink sink) {}

    /** Recovery itself, without the lock and the open segment of JournalPersistence: the cheap way for loops. */
    private static Recovered recover(Path dir) throws IOException {
        StateSink sink = new StateSink();
        return new Recovered(new Recovery(new DataFiles(dir), FileOps.REAL, false, sink).run(), sink);
    }

    /**
     * Opening a store on {@code dir} is refused for damage in {@code file} at {@code offset}; the message says
     * where and how out; the refusal leaves the directory as it was.
     */
    private static JournalDamaged assertRefused(Path dir, String file, long offset) throws IOException {
        List<String> names = fileNames(dir);
        List<byte[]> contents = names.stream().map(n -> bytes(dir.resolve(n))).toList();
        JournalDamaged e = assertThrows(
                JournalDamaged.class,
                () -> openStore(dir).close(),
                () -> "opening " + dir.getFileName()); // the copies in loops are named after their damage
        assertEquals(file, e.file().getFileName().toString());
        assertEquals(offset, e.offset(), "offset of the damage");
        assertThat(e.getMessage(), containsString(file));
        assertThat(e.getMessage(), containsString("byte " + offset));
        assertEquals(names, fileNames(dir), "a refusal changes no file");
        for (int i = 0; i < names.size(); i++) {
            assertArrayEquals(contents.get(i), bytes(dir.resolve(names.get(i))), names.get(i));
        }
        return e;
    }

    private static void assertRefusedForRepair(Path dir, String file, long offset) throws IOException {
        assertThat(assertRefused(dir, file, offset).getMessage(), containsString("--repair"));
    }

    // --- torn tails and appended garbage: cut, kept in .broken, warned ---

    @Test
    void truncationAtEveryByteOfTheLastRecordsRecoversTheLongestCompletePrefix() throws IOException {
        Path source = dir.resolve("source");
        Files.createDirectories(source);
        List<Commit> history = new ArrayList<>(commits(1, 9));
        history.add(put(10, "ünï/日本 \"q\"", "{\"s\":\"a\\nb\\\"c\\\\d\\u0000\",\"e\":\"😀\"}"));
        history.add(delete(11, "app-1"));
        history.add(put(12, "last", "[" + "1,".repeat(40) + "2]"));
        writeSegment(source, 1, history.subList(0, 6));
        Path last = writeSegment(source, 7, history.subList(6, 12));
        byte[] original = bytes(last);
        long[] ends = lineStarts(original); // ends[k] = end of the segment's first k records
        int whole = 3; // complete records of the segment before the range that is cut through

        for (long length = ends[whole]; length <= original.length; length++) {
            Path copy = copyDir(source, dir.resolve("cut-" + length));
            Path segment = copy.resolve(segmentName(7));
            truncate(segment, length);
            Recovered r = recover(copy);

            int kept = whole;
            while (kept + 1 < ends.length && ends[kept + 1] <= length) {
                kept++;
            }
            String at = "truncated to " + length;
            assertEquals(6 + kept, r.result().lastSeq(), at);
            assertEquals(stateOf(history.subList(0, 6 + kept)), r.sink().state, at);
            assertEquals(ends[kept], Files.size(segment), at);
            Path broken = copy.resolve(segmentName(7) + ".broken");
            if (length > ends[kept]) {
                assertArrayEquals(Arrays.copyOfRange(original, (int) ends[kept], (int) length), bytes(broken), at);
            } else {
                assertFalse(Files.exists(broken), at + ": nothing was cut, so nothing is kept aside");
            }
        }
    }

    @Test
    void tornTailIsCutAndWarned() throws IOException {
        List<Commit> history = commits(1, 5);
        Path segment = writeSegment(dir, 1, history);
        long size = Files.size(segment);
        JournalFiles.append(segment, "{\"seq\":6,\"op\":\"put\",\"name\":\"x\",\"da".getBytes(StandardCharsets.UTF_8));

        List<LogRecord> warnings = new ArrayList<>();
        Logger logger = Logger.getLogger(Repair.class.getName()); // Repair makes (and logs) the cut
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                    warnings.add(record);
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        logger.addHandler(handler);
        Loaded loaded;
        try {
            loaded = load(dir);
        } finally {
            logger.removeHandler(handler);
        }
        assertEquals(new Loaded(5, stateOf(history)), loaded);
        assertEquals(size, Files.size(segment));
        assertEquals(1, warnings.size(), "one warning for the cut");
        assertThat(warnings.getFirst().getMessage(), containsString(segmentName(1)));
        assertThat(warnings.getFirst().getMessage(), containsString("byte " + size));

        try (Store store = openStore(dir)) {
            assertEquals(6, JournalFiles.put(store, "next", "6").seq());
        }
        List<Commit> more = new ArrayList<>(history);
        more.add(put(6, "next", "6"));
        assertEquals(new Loaded(6, stateOf(more)), load(dir), "the journal goes on where the torn record was cut");
    }

    private enum Garbage {
        RANDOM_BYTES,
        ZEROS,
        PARTIAL_LINE,
        LINE_WITH_A_WRONG_CRC,
        NEWLINES;

        byte[] bytes() {
            return switch (this) {
                case RANDOM_BYTES -> {
                    byte[] b = new byte[4096];
                    new Random(3).nextBytes(b);
                    yield b;
                }
                case ZEROS -> new byte[4096];
                case PARTIAL_LINE ->
                    "{\"seq\":21,\"op\":\"put\",\"name\":\"app-1\",\"data\":{\"v\"".getBytes(StandardCharsets.UTF_8);
                case LINE_WITH_A_WRONG_CRC ->
                    "{\"seq\":21,\"op\":\"delete\",\"name\":\"app-1\",\"crc\":\"00000000\"}\n"
                            .getBytes(StandardCharsets.UTF_8);
                case NEWLINES -> "\n\n\n".getBytes(StandardCharsets.UTF_8);
            };
        }
    }

    @ParameterizedTest
    @EnumSource(Garbage.class)
    void garbageAppendedAtTheEndIsCutAndTheStateKept(Garbage garbage) throws IOException {
        List<Commit> history = commits(1, 20);
        writeSegment(dir, 1, history.subList(0, 10));
        Path segment = writeSegment(dir, 11, history.subList(10, 20));
        byte[] original = bytes(segment);
        JournalFiles.append(segment, garbage.bytes());

        assertEquals(new Loaded(20, stateOf(history)), load(dir));
        assertArrayEquals(original, bytes(segment));
        assertArrayEquals(garbage.bytes(), bytes(dir.resolve(segmentName(11) + ".broken")));
        assertEquals(new Loaded(20, stateOf(history)), load(dir), "a second start finds nothing to cut");
        assertEquals(List.of(segmentName(1), segmentName(11), segmentName(11) + ".broken"), fileNames(dir));
    }

    @Test
    void aFlippedByteInTheFinalRecordIsCutLikeATornWrite() throws IOException {
        List<Commit> history = commits(1, 6);
        Path source = Files.createDirectories(dir.resolve("source"));
        byte[] original = bytes(writeSegment(source, 1, history));
        long[] starts = lineStarts(original);
        long finalRecord = starts[starts.length - 2];
        for (long i = finalRecord; i < original.length; i++) {
            Path copy = copyDir(source, dir.resolve("flip-" + i));
            flipByte(copy.resolve(segmentName(1)), i);
            byte[] damaged = bytes(copy.resolve(segmentName(1)));

            Recovered r = recover(copy);
            assertEquals(5, r.result().lastSeq(), "flipped byte " + i);
            assertEquals(stateOf(history.subList(0, 5)), r.sink().state);
            assertEquals(finalRecord, Files.size(copy.resolve(segmentName(1))));
            assertArrayEquals(
                    Arrays.copyOfRange(damaged, (int) finalRecord, damaged.length),
                    bytes(copy.resolve(segmentName(1) + ".broken")));
        }
    }

    @Test
    void aFailureWhileCuttingATornTailIsCutAgainAtTheNextStart() throws IOException {
        List<Commit> history = commits(1, 5);
        Path segment = writeSegment(dir, 1, history);
        long size = Files.size(segment);
        JournalFiles.append(segment, "{\"seq\":6,\"op\":\"del".getBytes(StandardCharsets.UTF_8));
        FaultyFileOps ops = new FaultyFileOps().failNth(FaultyFileOps.Kind.TRUNCATE, 1);
        try (JournalPersistence journal = JournalPersistence.open(new JournalConfig(dir, 4096, ops))) {
            assertThrows(IOException.class, () -> journal.load(new StateSink()));
        }
        assertEquals(new Loaded(5, stateOf(history)), load(dir));
        assertEquals(size, Files.size(segment));
    }

    // --- transactions: one record, all of it or none ---

    /** A history of single changes and transactions: seq 4 and 7 are transactions, 7 the last record. */
    private static List<Commit> historyWithTransactions() {
        List<Commit> history = new ArrayList<>(commits(1, 3));
        history.add(JournalFiles.txn(4, "app-1", "-app-2", "t/x", "t/y"));
        history.addAll(commits(5, 6));
        history.add(JournalFiles.txn(7, "t/x", "-t/y", "app-3", "t/z"));
        return history;
    }

    @Test
    void aTransactionRecordReplaysAllItsChangesWithItsSeq() throws IOException {
        List<Commit> history = historyWithTransactions();
        writeSegment(dir, 1, history);
        Recovered r = recover(dir);
        assertEquals(7, r.result().lastSeq());
        assertEquals(stateOf(history), r.sink().state);
        assertThat(r.sink().state.get("t/x"), containsString("7 {\"t\":7"));
        assertThat(r.sink().state.get("t/z"), containsString("7 {\"t\":7"));
        assertFalse(r.sink().state.containsKey("app-2"), "deleted by the transaction at 4");
        assertFalse(r.sink().state.containsKey("t/y"), "deleted by the transaction at 7");
    }

    @Test
    void aTransactionCutAtAnyByteIsRecoveredWhollyOrNotAtAll() throws IOException {
        Path source = Files.createDirectories(dir.resolve("source"));
        List<Commit> history = historyWithTransactions();
        byte[] original = bytes(writeSegment(source, 1, history));
        long[] starts = lineStarts(original);
        long txnRecord = starts[starts.length - 2]; // the last line: the transaction at seq 7
        List<Commit> before = history.subList(0, history.size() - 1); // all but the transaction at seq 7
        for (long length = txnRecord; length <= original.length; length++) {
            Path copy = copyDir(source, dir.resolve("cut-" + length));
            truncate(copy.resolve(segmentName(1)), length);
            Recovered r = recover(copy);
            boolean whole = length == original.length; // without its LF a last line is torn
            String at = "cut at " + length;
            assertEquals(whole ? 7 : 6, r.result().lastSeq(), at);
            assertEquals(stateOf(whole ? history : before), r.sink().state, at);
            if (!whole && length > txnRecord) {
                assertArrayEquals(
                        Arrays.copyOfRange(original, (int) txnRecord, (int) length),
                        bytes(copy.resolve(segmentName(1) + ".broken")),
                        at);
            }
        }
    }

    @Test
    void aFlippedByteInAFinalTransactionRecordCutsAllOfIt() throws IOException {
        Path source = Files.createDirectories(dir.resolve("source"));
        List<Commit> history = historyWithTransactions();
        byte[] original = bytes(writeSegment(source, 1, history));
        long[] starts = lineStarts(original);
        long txnRecord = starts[starts.length - 2];
        for (long i = txnRecord; i < original.length; i += 7) {
            Path copy = copyDir(source, dir.resolve("flip-" + i));
            flipByte(copy.resolve(segmentName(1)), i);
            Recovered r = recover(copy);
            assertEquals(6, r.result().lastSeq(), "flipped byte " + i);
            assertEquals(stateOf(history.subList(0, history.size() - 1)), r.sink().state, "flipped byte " + i);
            assertEquals(txnRecord, Files.size(copy.resolve(segmentName(1))));
        }
    }

    @Test
    void aDamagedTransactionRecordBeforeTheEndRefusesTheStart() throws IOException {
        Path source = Files.createDirectories(dir.resolve("source"));
        byte[] original = bytes(writeSegment(source, 1, historyWithTransactions()));
        long[] starts = lineStarts(original);
        long txnRecord = starts[3]; // the transaction at seq 4, with records after it
        for (long i = txnRecord; i < starts[4]; i += 5) {
            Path copy = copyDir(source, dir.resolve("flip-" + i));
            flipByte(copy.resolve(segmentName(1)), i);
            assertRefusedForRepair(copy, segmentName(1), txnRecord);
        }
    }

    @Test
    void aTransactionSurvivesARestartWithItsSeqAndComesBackTogetherInTheFeed() throws IOException {
        long seq;
        try (Store store = openStore(dir)) {
            JournalFiles.put(store, "old", "1");
            seq = store.execute(new io.microstore.store.Transaction(List.of(
                            new io.microstore.store.Command.Put(
                                    "a", "1".getBytes(StandardCharsets.UTF_8), io.microstore.store.Precondition.NONE),
                            new io.microstore.store.Command.Delete("old", io.microstore.store.Precondition.NONE),
                            new io.microstore.store.Command.Put(
                                    "b", "2".getBytes(StandardCharsets.UTF_8), io.microstore.store.Precondition.NONE))))
                    .seq();
            JournalFiles.put(store, "c", "3");
        }
        String journal = new String(bytes(dir.resolve(segmentName(1))), StandardCharsets.UTF_8);
        assertEquals(3, journal.lines().count(), "one record per seq: " + journal);
        assertThat(journal.lines().toList().get(1), containsString("\"op\":\"txn\""));
        try (Store store = openStore(dir)) {
            assertEquals(seq, store.get("a").seq());
            assertEquals(seq, store.get("b").seq());
            assertEquals(null, store.get("old"));
            assertEquals(3, store.lastSeq());
            assertEquals(List.of(2L, 2L, 2L), Changes.seqs(store.feed().read(1, 1, "")));
        }
    }

    // --- damage before the end: refuse, naming file, offset and --repair ---

    @Test
    void aFlippedByteInAnEarlierRecordIsRefused() throws IOException {
        Path source = Files.createDirectories(dir.resolve("source"));
        byte[] original = bytes(writeSegment(source, 1, commits(1, 6)));
        long[] starts = lineStarts(original);
        for (long i = starts[2]; i < starts[3]; i++) { // every byte of the third record, its LF included
            Path copy = copyDir(source, dir.resolve("flip-" + i));
            flipByte(copy.resolve(segmentName(1)), i);
            assertRefusedForRepair(copy, segmentName(1), starts[2]);
        }
    }

    /** Its LF too: a flipped LF joins it to the final record, and appends never rewrite an earlier record's bytes. */
    @Test
    void aFlippedByteInTheRecordBeforeTheFinalOneIsRefused() throws IOException {
        Path source = Files.createDirectories(dir.resolve("source"));
        byte[] original = bytes(writeSegment(source, 1, commits(1, 6)));
        long[] starts = lineStarts(original);
        long record = starts[starts.length - 3];
        for (long i = record; i < starts[starts.length - 2]; i++) {
            Path copy = copyDir(source, dir.resolve("flip-" + i));
            flipByte(copy.resolve(segmentName(1)), i);
            assertRefusedForRepair(copy, segmentName(1), record);
        }
    }

    @Test
    void aBadLastRecordOfAnEarlierSegmentIsRefused() throws IOException {
        List<Commit> history = commits(1, 8);
        Path first = writeSegment(dir, 1, history.subList(0, 4));
        writeSegment(dir, 5, history.subList(4, 8));
        long[] starts = lineStarts(bytes(first));
        long lastRecord = starts[starts.length - 2];
        flipByte(first, lastRecord + 10);
        assertRefusedForRepair(dir, segmentName(1), lastRecord);

        truncate(first, lastRecord + 10); // torn, but not at the end of the journal: also damage
        assertRefusedForRepair(dir, segmentName(1), lastRecord);
    }

    @Test
    void aZeroedBlockInTheMiddleOfASegmentIsRefused() throws IOException {
        Path segment = writeSegment(dir, 1, commits(1, 600));
        long[] starts = lineStarts(bytes(segment));
        long blockStart = 8192;
        JournalFiles.zero(segment, blockStart, 4096);
        long damagedRecord =
                Arrays.stream(starts).filter(s -> s <= blockStart).max().orElseThrow();
        assertTrue(Files.size(segment) > blockStart + 3 * 4096, "many records follow the block");
        assertRefusedForRepair(dir, segmentName(1), damagedRecord);
    }

    @Test
    void aMissingMiddleSegmentIsRefused() throws IOException {
        List<Commit> history = commits(1, 12);
        writeSegment(dir, 1, history.subList(0, 4));
        writeSegment(dir, 9, history.subList(8, 12)); // journal-5 is gone
        JournalDamaged e = assertRefused(dir, segmentName(9), 0);
        assertThat(e.reason(), containsString("missing"));
        assertThat(e.getMessage(), containsString("--repair"));
    }

    @Test
    void aSeqGapInsideASegmentIsRefused() throws IOException {
        List<Commit> records = new ArrayList<>(commits(1, 3));
        records.addAll(commits(5, 7)); // every CRC holds, but 4 is missing
        long[] starts = lineStarts(bytes(writeSegment(dir, 1, records)));
        JournalDamaged e = assertRefused(dir, segmentName(1), starts[3]);
        assertThat(e.reason(), containsString("seq 5 where 4 was expected"));
    }

    @Test
    void aSeqGapInTheFinalRecordIsRefusedNotCut() throws IOException {
        List<Commit> records = new ArrayList<>(commits(1, 3));
        records.addAll(commits(5, 5)); // a whole, valid record cannot be a torn write
        long[] starts = lineStarts(bytes(writeSegment(dir, 1, records)));
        assertRefusedForRepair(dir, segmentName(1), starts[3]);
    }

    @Test
    void aSeqGapBetweenSegmentsIsRefused() throws IOException {
        List<Commit> history = commits(1, 8);
        writeSegment(dir, 1, history.subList(0, 3)); // ends at 3; the next segment claims to start at 4 ...
        writeSegment(dir, 4, history.subList(4, 8)); // ... but holds 5..8
        assertRefusedForRepair(dir, segmentName(4), 0);
    }

    @Test
    void aSeqGoingBackInsideTheFirstSegmentIsRefused() throws IOException {
        List<Commit> records = new ArrayList<>(commits(1, 4));
        records.add(put(2, "app-2", "\"an old seq again\"")); // valid CRC, seq goes back
        records.addAll(commits(5, 6));
        long[] starts = lineStarts(bytes(writeSegment(dir, 1, records)));
        assertRefusedForRepair(dir, segmentName(1), starts[4]);
    }

    // --- --repair ---

    @Test
    void repairCutsAtASeqGapKeepsTheOriginalAndSetsLaterSegmentsAside() throws IOException {
        List<Commit> records = new ArrayList<>(commits(1, 3));
        records.addAll(commits(5, 6));
        Path first = writeSegment(dir, 1, records);
        Path later = writeSegment(dir, 7, commits(7, 9));
        byte[] firstBytes = bytes(first);
        byte[] laterBytes = bytes(later);
        long cut = lineStarts(firstBytes)[3];

        List<String> report = JournalPersistence.repair(Stores.journal(dir));

        String text = String.join("\n", report);
        assertThat(text, containsString("cut " + segmentName(1) + " at byte " + cut));
        assertThat(text, containsString("kept 3 journal records"));
        assertThat(text, containsString("ends at seq 3"));
        assertThat(text, containsString(segmentName(7)));
        assertEquals(List.of(segmentName(1), segmentName(1) + ".broken", segmentName(7) + ".broken"), fileNames(dir));
        assertArrayEquals(Arrays.copyOf(firstBytes, (int) cut), bytes(first));
        assertArrayEquals(firstBytes, bytes(dir.resolve(segmentName(1) + ".broken")));
        assertArrayEquals(laterBytes, bytes(dir.resolve(segmentName(7) + ".broken")));

        assertEquals(new Loaded(3, stateOf(commits(1, 3))), load(dir));
        try (Store store = openStore(dir)) {
            assertEquals(4, JournalFiles.put(store, "after-repair", "true").seq(), "the journal goes on at 4");
        }
        assertEquals(4, load(dir).lastSeq());
    }

    @Test
    void repairCutsAtADamagedRecordAndTheNextStartLoadsTheGoodPrefix() throws IOException {
        List<Commit> history = commits(1, 10);
        writeSegment(dir, 1, history.subList(0, 5));
        Path segment = writeSegment(dir, 6, history.subList(5, 10));
        long[] starts = lineStarts(bytes(segment));
        flipByte(segment, starts[2] + 5); // seq 8 is damaged, 9 and 10 follow

        List<String> report = JournalPersistence.repair(Stores.journal(dir));

        assertThat(report, hasItem(containsString("kept 7 journal records")));
        assertEquals(new Loaded(7, stateOf(history.subList(0, 7))), load(dir));
        assertEquals(starts[2], Files.size(segment));
        assertTrue(Files.exists(dir.resolve(segmentName(6) + ".broken")));
    }

    @Test
    void repairOfAMissingMiddleSegmentSetsTheRestAsideAndTheNextStartSucceeds() throws IOException {
        List<Commit> history = commits(1, 14);
        writeSegment(dir, 1, history.subList(0, 4));
        byte[] afterGap = bytes(writeSegment(dir, 9, history.subList(8, 12))); // journal-5 is gone
        writeSegment(dir, 13, history.subList(12, 14));

        List<String> report = JournalPersistence.repair(Stores.journal(dir));

        assertThat(report, hasItem(containsString("ends at seq 4")));
        assertArrayEquals(afterGap, bytes(dir.resolve(segmentName(9) + ".broken")), "the original is kept");
        assertTrue(Files.exists(dir.resolve(segmentName(13) + ".broken")));
        assertEquals(new Loaded(4, stateOf(history.subList(0, 4))), load(dir));
    }

    @Test
    void repairOfAHealthyDirectoryChangesNothing() throws IOException {
        List<Commit> history = commits(1, 10);
        writeSnapshot(dir, 4, history.subList(0, 4));
        writeSegment(dir, 5, history.subList(4, 10));
        List<String> report = JournalPersistence.repair(Stores.journal(dir));
        assertEquals(List.of("kept 6 journal records after snapshot seq 4: the data now ends at seq 10"), report);
        assertEquals(List.of(segmentName(5), snapshotName(4)), fileNames(dir));
        assertEquals(new Loaded(10, stateOf(history)), load(dir));
    }

    // --- snapshots ---

    @Test
    void aSnapshotPlusTheJournalAfterItGivesTheState() throws IOException {
        List<Commit> history = commits(1, 12);
        writeSnapshot(dir, 8, history.subList(0, 8));
        writeSegment(dir, 9, history.subList(8, 12));
        assertEquals(new Loaded(12, stateOf(history)), load(dir));
    }

    @Test
    void segmentsASnapshotCoversAreSkippedAndDeleted() throws IOException {
        List<Commit> history = commits(1, 12);
        writeSegment(dir, 1, history.subList(0, 8)); // a crash before compaction deleted it
        writeSnapshot(dir, 8, history.subList(0, 8));
        writeSegment(dir, 9, history.subList(8, 12));
        assertEquals(new Loaded(12, stateOf(history)), load(dir));
        assertEquals(List.of(segmentName(9), snapshotName(8)), fileNames(dir));
    }

    @Test
    void aSegmentStartingBeforeTheSnapshotIsReplayedFromTheSnapshotOn() throws IOException {
        List<Commit> history = commits(1, 12);
        writeSegment(dir, 1, history);
        writeSnapshot(dir, 6, history.subList(0, 6));
        assertEquals(new Loaded(12, stateOf(history)), load(dir));
    }

    @Test
    void aFuzzySnapshotHoldingLaterChangesPlusItsJournalGivesTheExactState() throws IOException {
        List<Commit> history = commits(1, 12); // seq 7 deletes app-2
        writeSnapshot(dir, 5, history.subList(0, 9)); // written while seq 6..9 committed
        writeSegment(dir, 6, history.subList(5, 12));
        assertEquals(new Loaded(12, stateOf(history)), load(dir));
    }

    private enum SnapshotDamage {
        FLIPPED_BYTE_IN_AN_ENTRY,
        CUT_BEFORE_THE_FOOTER,
        CUT_INSIDE_AN_ENTRY,
        FLIPPED_BYTE_IN_THE_HEADER;

        void apply(Path snapshot) throws IOException {
            long[] starts = lineStarts(bytes(snapshot));
            long footer = starts[starts.length - 2];
            long lastEntry = starts[starts.length - 3];
            switch (this) {
                case FLIPPED_BYTE_IN_AN_ENTRY -> flipByte(snapshot, lastEntry + 12);
                case CUT_BEFORE_THE_FOOTER -> truncate(snapshot, footer);
                case CUT_INSIDE_AN_ENTRY -> truncate(snapshot, lastEntry + 12);
                case FLIPPED_BYTE_IN_THE_HEADER -> flipByte(snapshot, 3);
            }
        }
    }

    /** A snapshot at 8 that also holds an app the journal never had, placed before the damage. */
    private Path damagedSnapshotAt8(List<Commit> history, SnapshotDamage damage) throws IOException {
        List<Commit> withGhost = new ArrayList<>(history.subList(0, 8));
        withGhost.add(put(3, "aaa-ghost", "\"restored before the damage was found\""));
        Path snapshot = writeSnapshot(dir, 8, withGhost);
        damage.apply(snapshot);
        return snapshot;
    }

    @ParameterizedTest
    @EnumSource(SnapshotDamage.class)
    void aDamagedNewestSnapshotFallsBackToAnOlderOneAndIsSetAside(SnapshotDamage damage) throws IOException {
        List<Commit> history = commits(1, 10);
        writeSnapshot(dir, 4, history.subList(0, 4));
        writeSegment(dir, 5, history.subList(4, 8));
        writeSegment(dir, 9, history.subList(8, 10));
        byte[] damaged = bytes(damagedSnapshotAt8(history, damage));

        assertEquals(new Loaded(10, stateOf(history)), load(dir), "nothing of the damaged snapshot is kept");
        assertArrayEquals(damaged, bytes(dir.resolve(snapshotName(8) + ".broken")));
        assertFalse(Files.exists(dir.resolve(snapshotName(8))));
        assertEquals(new Loaded(10, stateOf(history)), load(dir), "and the next start agrees");
    }

    @ParameterizedTest
    @EnumSource(SnapshotDamage.class)
    void aDamagedOnlySnapshotFallsBackToACompleteJournal(SnapshotDamage damage) throws IOException {
        List<Commit> history = commits(1, 10);
        writeSegment(dir, 1, history.subList(0, 8));
        writeSegment(dir, 9, history.subList(8, 10));
        damagedSnapshotAt8(history, damage);

        StateSink sink = new StateSink();
        try (JournalPersistence journal = JournalPersistence.open(Stores.journal(dir))) {
            assertEquals(10, journal.load(sink));
        }
        assertEquals(stateOf(history), sink.state);
        assertEquals(List.of(segmentName(1), segmentName(9), snapshotName(8) + ".broken"), fileNames(dir));
    }

    @ParameterizedTest
    @EnumSource(SnapshotDamage.class)
    void aDamagedSnapshotWithoutACompleteJournalBehindItIsRefused(SnapshotDamage damage) throws IOException {
        List<Commit> history = commits(1, 10);
        writeSnapshot(dir, 4, history.subList(0, 4)); // its journal, journal-5, was deleted
        writeSegment(dir, 9, history.subList(8, 10));
        damagedSnapshotAt8(history, damage);
        long[] starts = lineStarts(bytes(dir.resolve(snapshotName(8))));
        long offset = switch (damage) {
            case FLIPPED_BYTE_IN_AN_ENTRY -> starts[starts.length - 3]; // the entry before the footer
            case CUT_INSIDE_AN_ENTRY -> starts[starts.length - 2]; // the entry cut short, now the last line
            case CUT_BEFORE_THE_FOOTER -> starts[starts.length - 1]; // the end, where the footer should be
            case FLIPPED_BYTE_IN_THE_HEADER -> 0;
        };
        assertRefused(dir, snapshotName(8), offset);
    }

    // --- files that are not read ---

    @Test
    void tmpFilesAreDeletedAtStartAndNeverRead() throws IOException {
        List<Commit> history = commits(1, 12);
        writeSegment(dir, 1, history.subList(0, 6));
        Path unfinished = writeSnapshot(dir, 12, history); // complete, but never renamed into place
        Files.move(unfinished, dir.resolve(snapshotName(12) + ".tmp"));
        Files.writeString(dir.resolve("other.tmp"), "x");

        assertEquals(new Loaded(6, stateOf(history.subList(0, 6))), load(dir));
        assertEquals(List.of(segmentName(1)), fileNames(dir));
    }

    @Test
    void brokenFilesAreNeverRead() throws IOException {
        List<Commit> history = commits(1, 12);
        writeSegment(dir, 1, history.subList(0, 6));
        Files.move(writeSegment(dir, 1, history), dir.resolve(segmentName(1) + ".broken"));
        writeSegment(dir, 1, history.subList(0, 6));
        Files.move(writeSegment(dir, 7, history.subList(6, 12)), dir.resolve(segmentName(7) + ".broken"));
        Files.move(writeSnapshot(dir, 12, history), dir.resolve(snapshotName(12) + ".broken"));
        Files.write(dir.resolve(segmentName(13) + ".1.broken"), new byte[] {0, 1, 2});
        List<String> names = fileNames(dir);

        assertEquals(new Loaded(6, stateOf(history.subList(0, 6))), load(dir));
        assertEquals(names, fileNames(dir), "broken files are left alone");
    }
}
