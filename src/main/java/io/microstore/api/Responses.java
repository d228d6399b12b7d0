package io.microstore.api;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Method;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * Sending bodies the same way everywhere, including HEAD (headers of the GET, no body); a body of many
 * items (a listing, a page of changes, an export) is streamed, so no answer holds more than one value
 * and a buffer beside the items it was asked for.
 */
final class Responses {
    static final Header JSON = HeaderValues.create(HeaderNames.CONTENT_TYPE, "application/json");
    /**
     * What a streamed body is written in: a body that fits is sent with a Content-Length, a larger one
     * chunked, this much at a time.
     */
    static final int BUFFER = 64 << 10;
    /**
     * The buffer a body starts in, doubled up to {@link #BUFFER} as it grows: most answers are a few KB, and a
     * zeroed 64 KB array per answer was most of what a query page allocated (young collections ten times as
     * often as for a GET, and with them its tail latency).
     */
    static final int FIRST_BUFFER = 4 << 10;

    /** A body written piece by piece, the same bytes each time it is asked (HEAD counts them). */
    @FunctionalInterface
    interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    private Responses() {}

    /** Sends {@code body} as JSON, or for HEAD only its Content-Length. */
    static void json(ServerRequest req, ServerResponse res, byte[] body) {
        res.header(JSON);
        send(req, res, body);
    }

    static void send(ServerRequest req, ServerResponse res, byte[] body) {
        if (req.prologue().method() == Method.HEAD) {
            res.header(HeaderValues.create(HeaderNames.CONTENT_LENGTH, body.length));
            res.send();
        } else {
            res.send(body);
        }
    }

    /**
     * Sends the JSON {@code body} writes: one that fits {@link #BUFFER} as a whole, with its Content-Length,
     * a larger one streamed ({@link #stream}); for HEAD only the Content-Length the GET would have, counted
     * without keeping the bytes.
     */
    static void json(ServerRequest req, ServerResponse res, Body body) throws IOException {
        res.header(JSON);
        if (req.prologue().method() == Method.HEAD) {
            Counter counter = new Counter();
            body.writeTo(counter);
            res.header(HeaderValues.create(HeaderNames.CONTENT_LENGTH, counter.count));
            res.send();
        } else {
            send(new Slices(res, true), body);
        }
    }

    /**
     * Streams what {@code body} writes to the connection, {@link #BUFFER} bytes at a time (chunked). The
     * response ends only once the body is whole: when writing fails half way it is left unfinished, and
     * Helidon closes the connection, so a client never takes a cut body for the whole one.
     */
    static void stream(ServerResponse res, Body body) throws IOException {
        send(new Slices(res, false), body);
    }

    /** The response's stream behind a buffer of {@link #BUFFER} bytes; {@code flush} sends what it holds. */
    static OutputStream stream(ServerResponse res) {
        return new Slices(res, false);
    }

    private static void send(Slices out, Body body) throws IOException {
        body.writeTo(out);
        out.close();
    }

    static Header etag(String etag) {
        return HeaderValues.create(HeaderNames.ETAG, etag);
    }

    /**
     * A buffer in front of the response, which hands it at most {@link #BUFFER} bytes at a time: Helidon
     * copies each write into a chunk of its own, so a value of 10 MB written at once would be copied whole.
     * Opened {@code whole}, a body that never outgrows the buffer is sent at close as one, with its length.
     */
    private static final class Slices extends OutputStream {
        private final ServerResponse res;
        private byte[] buf = new byte[FIRST_BUFFER];
        private int count;
        private OutputStream out; // the response's stream, once the body is sent in chunks

        Slices(ServerResponse res, boolean whole) {
            this.res = res;
            this.out = whole ? null : res.outputStream();
        }

        @Override
        public void write(int b) throws IOException {
            if (count == buf.length) {
                makeRoom();
            }
            buf[count++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                if (count == buf.length) {
                    makeRoom();
                }
                if (count == 0 && len >= BUFFER && out != null) {
                    out.write(b, off, BUFFER); // a whole slice goes past the buffer without a copy
                    off += BUFFER;
                    len -= BUFFER;
                    continue;
                }
                int n = Math.min(len, buf.length - count);
                System.arraycopy(b, off, buf, count, n);
                count += n;
                off += n;
                len -= n;
            }
        }

        @Override
        public void flush() throws IOException {
            spill();
            out.flush();
        }

        @Override
        public void close() throws IOException {
            if (out == null) {
                res.send(Arrays.copyOf(buf, count));
                return;
            }
            spill();
            out.close();
        }

        /** A full buffer grows while it is smaller than {@link #BUFFER}, and is sent once it is not. */
        private void makeRoom() throws IOException {
            if (buf.length < BUFFER) {
                buf = Arrays.copyOf(buf, Math.min(BUFFER, buf.length * 2));
            } else {
                spill();
            }
        }

        private void spill() throws IOException {
            if (out == null) {
                out = res.outputStream();
            }
            out.write(buf, 0, count);
            count = 0;
        }
    }

    /** Counts what is written to it, and keeps nothing. */
    private static final class Counter extends OutputStream {
        private long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }
}
