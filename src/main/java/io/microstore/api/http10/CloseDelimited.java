package io.microstore.api.http10;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataWriter;

/**
 * An answer as an HTTP/1.0 client reads it; to any other client, the answer as Helidon writes it. Helidon frames a body of unknown length in chunks, which 1.0
 * does not know: this takes the chunk framing and the {@code Transfer-Encoding} header out, and the body
 * ends where the connection does ({@code Connection: close}, which {@link Http10Request} asked for). An
 * answer with a {@code Content-Length} passes as it is. A 1xx answer is dropped: a server must not send
 * one to a 1.0 client (RFC 9110, section 15.2). Whatever follows the last chunk is dropped too.
 *
 * <p>Helidon writes well-formed framing, so this reads it without checks; it keeps back only an
 * incomplete head, chunk-size line or trailer line until the rest of it is written.
 */
final class CloseDelimited implements DataWriter {
    private enum State {
        HEAD,
        BODY,
        CHUNK_SIZE,
        CHUNK_DATA,
        CHUNK_END,
        TRAILERS,
        DONE
    }

    private final DataWriter connection; // for 1.0, under this object's lock: bytes leave in the order unframed
    private final Http10Request request;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private State state = State.HEAD;
    private long chunkLeft;

    CloseDelimited(DataWriter connection, Http10Request request) {
        this.connection = connection;
        this.request = request;
    }

    @Override
    public void write(BufferData... buffers) {
        if (request.http10()) {
            synchronized (this) {
                connection.write(unframe(buffers));
            }
        } else {
            connection.write(buffers);
        }
    }

    @Override
    public void write(BufferData buffer) {
        if (request.http10()) {
            synchronized (this) {
                connection.write(unframe(buffer));
            }
        } else {
            connection.write(buffer);
        }
    }

    @Override
    public void writeNow(BufferData... buffers) {
        if (request.http10()) {
            synchronized (this) {
                connection.writeNow(unframe(buffers));
            }
        } else {
            connection.writeNow(buffers);
        }
    }

    @Override
    public void writeNow(BufferData buffer) {
        if (request.http10()) {
            synchronized (this) {
                connection.writeNow(unframe(buffer));
            }
        } else {
            connection.writeNow(buffer);
        }
    }

    @Override
    public void flush() {
        connection.flush();
    }

    @Override
    public void close() {
        connection.close();
    }

    private BufferData unframe(BufferData... buffers) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (BufferData buffer : buffers) {
            unframe(buffer.readBytes(), out);
        }
        return BufferData.create(out.toByteArray());
    }

    private BufferData unframe(BufferData buffer) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        unframe(buffer.readBytes(), out);
        return BufferData.create(out.toByteArray());
    }

    private void unframe(byte[] bytes, ByteArrayOutputStream out) {
        int i = 0;
        while (i < bytes.length) {
            switch (state) {
                case BODY -> {
                    out.write(bytes, i, bytes.length - i);
                    i = bytes.length;
                }
                case DONE -> i = bytes.length;
                case CHUNK_DATA -> {
                    int n = (int) Math.min(chunkLeft, bytes.length - i);
                    out.write(bytes, i, n);
                    i += n;
                    chunkLeft -= n;
                    if (chunkLeft == 0) {
                        state = State.CHUNK_END;
                    }
                }
                default -> { // a line of the head or of the framing
                    pending.write(bytes[i]);
                    if (bytes[i++] == '\n') {
                        endOfLine(out);
                    }
                }
            }
        }
    }

    private void endOfLine(ByteArrayOutputStream out) {
        String line = pending.toString(StandardCharsets.ISO_8859_1);
        switch (state) {
            case HEAD -> {
                if (line.endsWith("\r\n\r\n")) {
                    pending.reset();
                    head(line, out);
                }
            }
            case CHUNK_SIZE -> {
                pending.reset();
                int end = line.indexOf(';');
                chunkLeft = Long.parseLong(
                        line.substring(0, end == -1 ? line.length() - 2 : end).strip(), 16);
                state = chunkLeft == 0 ? State.TRAILERS : State.CHUNK_DATA;
            }
            case CHUNK_END -> { // the CRLF after a chunk's data
                pending.reset();
                state = State.CHUNK_SIZE;
            }
            case TRAILERS -> {
                pending.reset();
                if (line.equals("\r\n")) {
                    state = State.DONE;
                }
            }
            default -> throw new IllegalStateException(state.name());
        }
    }

    private void head(String head, ByteArrayOutputStream out) {
        if (head.charAt("HTTP/1.1 ".length()) == '1') {
            return; // 100 Continue and the like: not for a 1.0 client; the real answer follows
        }
        boolean chunked = false;
        StringBuilder kept = new StringBuilder(head.length());
        for (String line : head.split("\r\n", -1)) {
            String lower = line.toLowerCase(Locale.ROOT);
            if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                chunked = true;
            } else {
                kept.append(line).append("\r\n");
            }
        }
        // split keeps the two empty strings after the head's last CRLF CRLF: one CRLF too many
        kept.setLength(kept.length() - 2);
        out.writeBytes(kept.toString().getBytes(StandardCharsets.ISO_8859_1));
        state = chunked ? State.CHUNK_SIZE : State.BODY;
    }
}
