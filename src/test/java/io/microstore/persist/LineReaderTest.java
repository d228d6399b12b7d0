package io.microstore.persist;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class LineReaderTest {
    private static final int BUFFER = 1 << 20; // LineReader's initial buffer

    @TempDir
    Path dir;

    /** One line as read: its bytes, where it starts and ends in the file, and whether it had its LF. */
    private record Line(byte[] bytes, long offset, long endOffset, boolean complete) {
        @Override
        public String toString() {
            return "Line[" + bytes.length + " bytes at " + offset + ".." + endOffset + (complete ? "" : ", no LF")
                    + "]";
        }
    }

    private List<Line> readAll(byte[] content) throws IOException {
        Path file = Files.write(dir.resolve("f"), content);
        List<Line> lines = new ArrayList<>();
        try (LineReader r = new LineReader(file)) {
            while (r.next()) {
                lines.add(new Line(
                        Arrays.copyOfRange(r.buffer(), r.from(), r.to()), r.offset(), r.endOffset(), r.complete()));
            }
        }
        return lines;
    }

    /** The lines of {@code content} the obvious way. */
    private static List<Line> split(byte[] content) {
        List<Line> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < content.length; i++) {
            if (content[i] == '\n') {
                lines.add(new Line(Arrays.copyOfRange(content, start, i), start, i + 1, true));
                start = i + 1;
            }
        }
        if (start < content.length) {
            lines.add(new Line(Arrays.copyOfRange(content, start, content.length), start, content.length, false));
        }
        return lines;
    }

    private void assertReadsLikeSplit(byte[] content) throws IOException {
        List<Line> expected = split(content);
        List<Line> actual = readAll(content);
        assertEquals(expected.size(), actual.size(), "number of lines");
        for (int i = 0; i < expected.size(); i++) {
            Line e = expected.get(i);
            Line a = actual.get(i);
            assertEquals(e.toString(), a.toString(), "line " + i);
            assertArrayEquals(e.bytes(), a.bytes(), "bytes of line " + i);
        }
    }

    @Test
    void linesComeBackWithTheirOffsetsWithoutTheirLf() throws IOException {
        List<Line> lines = readAll("a\nbb\n\nccc\n".getBytes());
        assertEquals(
                List.of(
                        "Line[1 bytes at 0..2]",
                        "Line[2 bytes at 2..5]",
                        "Line[0 bytes at 5..6]",
                        "Line[3 bytes at 6..10]"),
                lines.stream().map(Line::toString).toList());
        assertArrayEquals("ccc".getBytes(), lines.get(3).bytes());
    }

    @Test
    void aLastLineWithoutItsLfIsReturnedAsIncomplete() throws IOException {
        List<Line> lines = readAll("a\n{\"seq\":2,\"op".getBytes());
        assertEquals(
                List.of("Line[1 bytes at 0..2]", "Line[12 bytes at 2..14, no LF]"),
                lines.stream().map(Line::toString).toList());
    }

    @Test
    void anEmptyFileHasNoLines() throws IOException {
        assertEquals(List.of(), readAll(new byte[0]));
    }

    @Test
    void linesAroundTheBufferSizeKeepTheirBytesAndOffsets() throws IOException {
        Random random = new Random(1);
        for (int length : new int[] {BUFFER - 1, BUFFER, BUFFER + 1, 3 * BUFFER}) {
            for (int lead : new int[] {0, 1, 100}) { // where in the buffer the long line starts
                byte[] content = new byte[lead + length + 1 + 5];
                fill(random, content);
                if (lead > 0) {
                    content[lead - 1] = '\n';
                }
                content[lead + length] = '\n';
                assertReadsLikeSplit(content);
            }
        }
    }

    @Test
    void manyLinesOfRandomLengthsAcrossBufferRefillsKeepTheirBytesAndOffsets() throws IOException {
        Random random = new Random(2);
        byte[] content = new byte[5 * BUFFER + 12345];
        fill(random, content);
        for (int i = random.nextInt(50);
                i < content.length;
                i += 1 + (random.nextInt(10) == 0 ? random.nextInt(300_000) : random.nextInt(200))) {
            content[i] = '\n';
        }
        assertReadsLikeSplit(content);
        content[content.length - 1] = '\n';
        assertReadsLikeSplit(content);
    }

    /** Random bytes other than LF. */
    private static void fill(Random random, byte[] bytes) {
        random.nextBytes(bytes);
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                bytes[i] = 'x';
            }
        }
    }
}
