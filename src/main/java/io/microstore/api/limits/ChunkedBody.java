package io.microstore.api.limits;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Objects;

import io.helidon.common.buffers.DataReader;

/**
 * A chunked request body decoded strictly from its connection's bytes (RFC 9112, section 7.1): a size
 * line of hex digits ended by CRLF, that many bytes, then CRLF. Anything else is {@link MalformedChunks}.
 *
 * <p>Why not Helidon's decoder: in 4.5.0 (Http1Connection.readNextChunk) a size line with a bare LF is
 * an internal error, and whatever two bytes follow a chunk are skipped as its CRLF, so the body it hands
 * over is not always the body the client framed. The last chunk ({@code 0} CRLF CRLF) is left on the
 * connection for Helidon's decoder, which reads it strictly (and refuses extensions and trailer fields
 * there), so that Helidon knows the body ended and reads the next request where it starts. Chunk
 * extensions are refused on every chunk alike.
 */
final class ChunkedBody extends InputStream {
    /** Leading zeros are allowed, so a size line is capped, not its digits. */
    private static final int MAX_SIZE_LINE = 64;

    private static final int MAX_DIGITS = 15; // 15 hex digits fit a long

    private final DataReader raw;
    private final InputStream helidon;
    private long remaining; // bytes of the current chunk's data not read yet
    private boolean ended;
    private MalformedChunks broken;

    /** {@code helidon} is Helidon's stream of the same body: created before, it sends 100 Continue. */
    ChunkedBody(DataReader raw, InputStream helidon) {
        this.raw = raw;
        this.helidon = helidon;
    }

    @Override
    public int read() {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    /** The next data bytes as they arrive: at most what one read from the socket brought. */
    @Override
    public int read(byte[] b, int off, int len) {
        Objects.checkFromIndexSize(off, len, b.length);
        if (broken != null) {
            throw broken; // the framing is lost: nothing after it is read
        }
        if (ended) {
            return -1;
        }
        if (len == 0) {
            return 0;
        }
        try {
            if (remaining == 0 && !nextChunk()) {
                return -1;
            }
            raw.ensureAvailable();
            int n = (int) Math.min(Math.min(len, remaining), raw.available());
            raw.readBuffer(n).read(b, off, n);
            remaining -= n;
            if (remaining == 0 && (raw.read() != '\r' || raw.read() != '\n')) {
                throw fail("a chunk's data is not followed by CRLF");
            }
            return n;
        } catch (DataReader.IncorrectNewLineException e) {
            throw fail("a line does not end with CRLF");
        } catch (DataReader.InsufficientDataAvailableException e) {
            throw fail("the connection ended before the last chunk");
        }
    }

    /** Reads the next size line; false (and the body ended) at the last chunk. */
    private boolean nextChunk() {
        int end = raw.findNewLine(MAX_SIZE_LINE);
        if (end >= MAX_SIZE_LINE) {
            throw fail("a chunk size line is longer than " + MAX_SIZE_LINE + " bytes");
        }
        byte[] line = new byte[end];
        raw.getBuffer(end).read(line, 0, end);
        long size = size(line);
        if (size > 0) {
            raw.skip(end + 2);
            remaining = size;
            return true;
        }
        lastChunk();
        return false;
    }

    /** Lets Helidon read the last chunk, still on the connection. */
    private void lastChunk() {
        int next;
        try {
            next = helidon.read();
        } catch (UncheckedIOException e) {
            throw e; // the socket failed (or the body timeout closed it): no framing error
        } catch (IOException | RuntimeException e) {
            throw fail("the last chunk must be \"0\" CRLF CRLF (no extensions, no trailer fields)");
        }
        if (next >= 0) {
            throw fail("data after the last chunk");
        }
        ended = true;
    }

    private long size(byte[] line) {
        if (line.length == 0) {
            throw fail("an empty chunk size line");
        }
        long size = 0;
        int digits = 0;
        for (byte c : line) {
            int digit = Character.digit(c, 16); // -1 for a byte over 0x7f too: it is negative
            if (digit < 0) {
                throw fail(c == ';' ? "chunk extensions are not accepted" : "a chunk size is not hex digits");
            }
            if (size > 0 || digit > 0) {
                digits++;
            }
            if (digits > MAX_DIGITS) {
                throw fail("a chunk size out of range");
            }
            size = size * 16 + digit;
        }
        return size;
    }

    private MalformedChunks fail(String why) {
        broken = new MalformedChunks(why);
        return broken;
    }
}
