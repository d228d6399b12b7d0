package io.microstore.persist;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.microstore.commit.Commit;
import io.microstore.persist.JournalFiles.Loaded;
import io.microstore.store.Store;
import io.microstore.testing.Stores;
import org.junit.jupiter.api.AfterAll;

import static io.microstore.persist.JournalFiles.bytes;
import static io.microstore.persist.JournalFiles.delete;
import static io.microstore.persist.JournalFiles.fileNames;
import static io.microstore.persist.JournalFiles.load;
import static io.microstore.persist.JournalFiles.openStore;
import static io.microstore.persist.JournalFiles.put;
import static io.microstore.persist.JournalFiles.stateOf;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Random bytes written into any data file of a real data directory, then a start: it either refuses
 * with {@link JournalDamaged} naming that file and a byte offset at or before the damage, changing no
 * file, or it starts and has every record before the damaged one (only a torn tail may go). A refused
 * directory then goes through {@code --repair}, after which a start must work and keep every record
 * before the damage too.
 *
 * <p>The directory is made once per JVM by a real store (fsync always): records 1-12, a compaction
 * (snapshot at 12), records 13-24, and the first segment put back as a crash between the snapshot's
 * rename and the deletion of what it covers leaves it. Input layout: byte 0 picks the file (of the
 * sorted data files), bytes 1-4 the offset (big-endian, modulo size + 1), byte 5 the mode (even: write
 * over, odd: cut the file at the offset, then write), the rest are the bytes written.
 */
class JournalFuzzTest {
    /** Names the store takes (no control characters), with escapes and UTF-8 in them. */
    private static final List<String> NAMES = List.of(
            "plain",
            "team/svc/config",
            "with space",
            "quote\"d",
            "back\\slash",
            "ünïcödé/日本語/😀",
            "\u2028",
            "{\"seq\":1}",
            ",\"crc\":\"00000000\"}");

    private static final Path ROOT = createRoot();
    private static final Path TEMPLATE = ROOT.resolve("template");
    private static final List<String> FILES;
    /** The changes the template holds: seq i is HISTORY.get(i - 1). */
    private static final List<Commit> HISTORY = new ArrayList<>();

    private static int runs;

    static {
        try {
            build(TEMPLATE);
            FILES = fileNames(TEMPLATE);
            for (String file : FILES) {
                System.err.println(
                        "JournalFuzzTest template: " + file + " " + Files.size(TEMPLATE.resolve(file)) + " bytes");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterAll
    static void removeRoot() throws IOException {
        deleteTree(ROOT);
    }

    @FuzzTest
    void damagedFileIsRefusedOrRepairedWithoutLoss(byte[] input) throws IOException {
        if (input.length < 6) {
            return;
        }
        String file = FILES.get((input[0] & 0xFF) % FILES.size());
        Path dir = copy(TEMPLATE, ROOT.resolve("run-" + runs++));
        try {
            Path damaged = dir.resolve(file);
            long size = Files.size(damaged);
            long offset = Integer.toUnsignedLong(ByteBuffer.wrap(input, 1, 4).getInt()) % (size + 1);
            boolean cut = (input[5] & 1) == 1;
            byte[] garbage = Arrays.copyOfRange(input, 6, input.length);
            try (FileChannel channel = FileChannel.open(damaged, StandardOpenOption.WRITE)) {
                if (cut) {
                    channel.truncate(offset);
                }
                channel.write(ByteBuffer.wrap(garbage), offset);
            }
            // Where the file first differs: written bytes may equal the ones they replace.
            long changed = firstChange(bytes(TEMPLATE.resolve(file)), bytes(damaged));
            check(dir, file, changed, firstDamagedSeq(file, changed));
        } finally {
            deleteTree(dir);
        }
    }

    private static void check(Path dir, String file, long offset, long firstDamagedSeq) throws IOException {
        List<String> names = fileNames(dir);
        List<byte[]> contents = names.stream().map(n -> bytes(dir.resolve(n))).toList();
        Loaded started;
        try {
            started = load(dir);
        } catch (JournalDamaged e) {
            assertRefusal(e, dir, file, offset);
            assertEquals(names, fileNames(dir), "a refusal changes no file");
            for (int i = 0; i < names.size(); i++) {
                assertArrayEquals(contents.get(i), bytes(dir.resolve(names.get(i))), "a refusal changes no file");
            }
            repairAndStart(dir, file, offset, firstDamagedSeq);
            return;
        }
        assertNoLoss(started, firstDamagedSeq, "a start on " + file + " damaged at byte " + offset);
        assertEquals(started, load(dir), "a second start finds what the first one left");
    }

    /** {@code --repair} keeps every record before the damage; it only refuses a snapshot it cannot do without. */
    private static void repairAndStart(Path dir, String file, long offset, long firstDamagedSeq) throws IOException {
        try {
            JournalPersistence.repair(Stores.journal(dir));
        } catch (JournalDamaged e) {
            assertTrue(file.startsWith("snapshot-"), "--repair refuses only a snapshot: " + e.getMessage());
            assertRefusal(e, dir, file, offset);
            return;
        }
        assertNoLoss(load(dir), firstDamagedSeq, "a start after --repair on " + file + " damaged at byte " + offset);
    }

    private static void assertRefusal(JournalDamaged e, Path dir, String file, long offset) throws IOException {
        assertEquals(file, e.file().getFileName().toString(), "the damaged file is named: " + e.getMessage());
        long size = Files.size(dir.resolve(file));
        assertTrue(
                e.offset() <= offset || e.offset() == size,
                "offset " + e.offset() + " at or before the damage " + offset + " (or the end, " + size + "): "
                        + e.getMessage());
        assertThat(e.getMessage(), containsString(file));
        assertThat(e.getMessage(), containsString("byte " + e.offset()));
    }

    /**
     * The state is exactly what the history makes of the records up to the last seq loaded, and that is
     * at least every record before the first damaged one.
     */
    private static void assertNoLoss(Loaded started, long firstDamagedSeq, String what) {
        assertTrue(
                started.lastSeq() >= firstDamagedSeq - 1,
                what + " lost records before the damage: it ends at seq " + started.lastSeq()
                        + ", the first damaged record is " + firstDamagedSeq);
        assertEquals(stateOf(HISTORY.subList(0, (int) started.lastSeq())), started.state(), what);
    }

    private static long firstChange(byte[] original, byte[] damaged) {
        int same = Arrays.mismatch(original, damaged);
        return same < 0 ? original.length : same;
    }

    /** The seq of the first record of a segment whose line (with its LF) reaches {@code offset}; for a snapshot, after the last. */
    private static long firstDamagedSeq(String file, long offset) {
        if (!file.startsWith("journal-")) {
            return HISTORY.size() + 1;
        }
        byte[] original = bytes(TEMPLATE.resolve(file));
        long seq = Long.parseLong(file.substring("journal-".length(), file.indexOf('.')));
        for (int end = 0; end < original.length; end++) {
            if (original[end] == '\n') {
                if (end >= offset) {
                    return seq;
                }
                seq++;
            }
        }
        return seq;
    }

    /** Real writes through a store: snapshot-12, journal-13 (13-24), and journal-1 (1-12) left by a crash. */
    private static void build(Path dir) throws IOException {
        Path firstSegment = ROOT.resolve("journal-1");
        try (Store store = openStore(Stores.journal(dir), Stores.LOCAL)) {
            for (int i = 1; i <= 24; i++) {
                String name = NAMES.get(i % NAMES.size());
                if (i % 5 == 0) { // the app written just before, so that every change takes a seq
                    String written = NAMES.get((i - 1) % NAMES.size());
                    assertEquals(i, delete(store, written).seq());
                    HISTORY.add(delete(i, written));
                } else {
                    String value = JournalFiles.UNUSUAL_VALUES.get(i % JournalFiles.UNUSUAL_VALUES.size());
                    assertEquals(i, put(store, name, value).seq());
                    HISTORY.add(JournalFiles.put(i, name, value));
                }
                if (i == 12) {
                    Files.copy(new DataFiles(dir).segment(1), firstSegment);
                    store.compact();
                }
            }
        }
        Files.copy(firstSegment, new DataFiles(dir).segment(1));
        if (!fileNames(dir)
                .equals(List.of(
                        JournalFiles.segmentName(1), JournalFiles.segmentName(13), JournalFiles.snapshotName(12)))) {
            fail("unexpected template files " + fileNames(dir));
        }
    }

    private static Path copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        for (String name : fileNames(from)) {
            Files.copy(from.resolve(name), to.resolve(name), StandardCopyOption.COPY_ATTRIBUTES);
        }
        return to;
    }

    private static Path createRoot() {
        try {
            return Files.createTempDirectory("journal-fuzz");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
