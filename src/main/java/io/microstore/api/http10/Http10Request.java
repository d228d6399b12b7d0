package io.microstore.api.http10;

import java.io.ByteArrayOutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Supplier;

import io.helidon.common.buffers.DataReader;
import io.helidon.common.socket.HelidonSocket;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.ServerConnectionException;

/**
 * A connection's bytes as Helidon's HTTP/1.1 parser reads them. The first read, extended to the end of
 * the first request line, says the version. HTTP/1.1 (or anything but 1.0, which Helidon then answers)
 * passes through as the socket gives it. HTTP/1.0 is presented as 1.1: the request line says
 * {@code HTTP/1.1}, a {@code Connection: close} follows it (a 1.0 client expects the connection to end
 * the answer, and Helidon then closes it), and a head without {@code Host} (optional in 1.0, required in
 * 1.1) gets the address the connection came to. Only the first request's head is touched: the connection
 * carries no other. The head passes a line at a time, as soon as each is complete, so Helidon's header
 * timeout runs from the request line as on any connection.
 */
final class Http10Request implements Supplier<byte[]> {
    private static final byte[] HTTP_1_0 = " HTTP/1.0\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONNECTION_CLOSE = "Connection: close\r\n".getBytes(StandardCharsets.US_ASCII);

    private final ConnectionContext connection;
    private final HelidonSocket socket;
    private final byte[] hostLine;
    private final int maxPrologueLength;
    private final int maxLine;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private boolean versionKnown;
    private volatile boolean http10;
    private boolean inHead;
    private boolean requestLine = true;
    private boolean hasHost;

    Http10Request(ConnectionContext connection, String host, int maxPrologueLength, int maxLine) {
        this.connection = connection;
        this.socket = connection.serverSocket();
        this.hostLine = ("Host: " + host + "\r\n").getBytes(StandardCharsets.US_ASCII);
        this.maxPrologueLength = maxPrologueLength;
        this.maxLine = maxLine;
    }

    /** Whether the connection speaks HTTP/1.0; known before its request is routed. */
    boolean http10() {
        return http10;
    }

    @Override
    public byte[] get() {
        if (!versionKnown) {
            return first();
        }
        byte[] bytes = read();
        return bytes == null || !inHead ? bytes : head(bytes);
    }

    private byte[] first() {
        versionKnown = true;
        // Whatever Helidon read ahead of the connection (nothing, as it hands us every connection at once).
        DataReader ahead = connection.dataReader();
        byte[] bytes = ahead.available() > 0 ? ahead.readBytes(ahead.available()) : read();
        int lf;
        while (bytes != null && (lf = indexOf(bytes, (byte) '\n')) == -1 && bytes.length <= maxPrologueLength) {
            byte[] more = read();
            if (more == null) {
                return bytes; // the connection ended within its first line: Helidon answers that
            }
            bytes = concat(bytes, more);
        }
        if (bytes == null || !endsWith(bytes, indexOf(bytes, (byte) '\n'), HTTP_1_0)) {
            return bytes;
        }
        http10 = true;
        inHead = true;
        return head(bytes);
    }

    private byte[] read() {
        try {
            return socket.get(); // null at the end of the connection
        } catch (UncheckedIOException e) { // as Helidon's own reader: a connection ended by the peer or the OS
            throw new ServerConnectionException("Failed to get data from socket", e);
        }
    }

    private byte[] head(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length + CONNECTION_CLOSE.length + hostLine.length);
        for (int i = 0; i < bytes.length; i++) {
            if (!inHead) {
                out.write(bytes, i, bytes.length - i);
                break;
            }
            line.write(bytes[i]);
            if (bytes[i] == '\n') {
                endOfLine(out);
            } else if (line.size() > maxLine) {
                // Past what Helidon accepts: it refuses the head as it is, so stop rewriting it.
                out.writeBytes(line.toByteArray());
                line.reset();
                inHead = false;
            }
        }
        return out.toByteArray();
    }

    private void endOfLine(ByteArrayOutputStream out) {
        byte[] bytes = line.toByteArray();
        line.reset();
        if (requestLine) { // "... HTTP/1.0\r\n", as first() found it
            requestLine = false;
            bytes[bytes.length - 3] = '1';
            out.writeBytes(bytes);
            out.writeBytes(CONNECTION_CLOSE);
        } else if (bytes.length <= 2 && (bytes[0] == '\r' || bytes[0] == '\n')) { // the head's last, empty line
            inHead = false;
            if (!hasHost) {
                out.writeBytes(hostLine);
            }
            out.writeBytes(bytes);
        } else {
            hasHost |=
                    bytes.length >= 5 && new String(bytes, 0, 5, StandardCharsets.US_ASCII).equalsIgnoreCase("host:");
            out.writeBytes(bytes);
        }
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    /** Whether the line ending at {@code lf} (its LF) ends with {@code suffix}, which ends with CRLF. */
    private static boolean endsWith(byte[] bytes, int lf, byte[] suffix) {
        int start = lf + 1 - suffix.length;
        return lf != -1 && start >= 0 && Arrays.equals(bytes, start, lf + 1, suffix, 0, suffix.length);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }
}
