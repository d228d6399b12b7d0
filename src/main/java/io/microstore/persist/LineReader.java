package io.microstore.persist;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Reads a file line by line into a reusable buffer, keeping each line's byte offset. A last line
 * without its LF (a torn write) is returned too, with {@link #complete()} false.
 */
final class LineReader implements Closeable {
    private final FileChannel channel;
    private byte[] buf = new byte[1 << 20];
    private int filled; // bytes of buf holding file data
    private long bufOffset; // file offset of buf[0]
    private int lineStart;
    private int lineEnd; // exclusive, without the LF
    private int next; // where the next line starts in buf
    private boolean complete;
    private boolean eof;

    LineReader(Path path) throws IOException {
        this.channel = FileChannel.open(path, StandardOpenOption.READ);
    }

    /** Advances to the next line; false at the end of the file. */
    boolean next() throws IOException {
        lineStart = next;
        int scan = lineStart;
        while (true) {
            for (; scan < filled; scan++) {
                if (buf[scan] == '\n') {
                    lineEnd = scan;
                    next = scan + 1;
                    complete = true;
                    return true;
                }
            }
            if (eof) {
                if (lineStart == filled) {
                    return false;
                }
                lineEnd = filled;
                next = filled;
                complete = false;
                return true;
            }
            scan -= lineStart;
            fill();
        }
    }

    /** Moves the unread part to the front of the buffer (growing it for long lines) and reads more. */
    private void fill() throws IOException {
        int keep = filled - lineStart;
        if (lineStart > 0) {
            System.arraycopy(buf, lineStart, buf, 0, keep);
            bufOffset += lineStart;
            lineStart = 0;
        } else if (keep == buf.length) {
            buf = Arrays.copyOf(buf, buf.length * 2);
        }
        filled = keep;
        int read = channel.read(ByteBuffer.wrap(buf, filled, buf.length - filled));
        if (read < 0) {
            eof = true;
        } else {
            filled += read;
        }
    }

    byte[] buffer() {
        return buf;
    }

    int from() {
        return lineStart;
    }

    int to() {
        return lineEnd;
    }

    /** File offset of the current line's first byte. */
    long offset() {
        return bufOffset + lineStart;
    }

    /** File offset just past the current line (and its LF). */
    long endOffset() {
        return bufOffset + next;
    }

    boolean complete() {
        return complete;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
