package io.microstore.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A Server-Sent Events client on a raw socket, so that a test controls when it reads (a slow client
 * simply stops calling {@link #next}), how small its receive buffer is, and when the connection goes
 * away. Speaks just enough HTTP/1.1: one GET, the status and headers, a chunked or sized body.
 * {@link #next} returns each event, and each comment line as an event of its own so that keep-alives
 * can be seen.
 */
public final class SseStream implements AutoCloseable {
    /** A dispatched event ({@code id}, {@code event}, {@code data}) or a comment line ({@code comment}). */
    public record Event(String id, String event, String data, String comment) {
        public boolean isComment() {
            return comment != null;
        }

        /** The seq of the event's id ({@code 57} or, inside a transaction's commit, {@code 57.1}). */
        public long seq() {
            int dot = id.indexOf('.');
            return Long.parseLong(dot < 0 ? id : id.substring(0, dot));
        }
    }

    private final Socket socket;
    private final int status;
    private final Map<String, String> headers;
    private final InputStream body;
    private byte[] lineBuffer = new byte[256];
    private String id;
    private String event;
    private String retry;
    private StringBuilder data;

    private SseStream(Socket socket, int status, Map<String, String> headers, InputStream body) {
        this.socket = socket;
        this.status = status;
        this.headers = headers;
        this.body = body;
    }

    /**
     * Sends {@code GET pathAndQuery} with {@code Accept: text/event-stream} and the given header
     * name/value pairs, and reads the status line and headers.
     *
     * @param receiveBuffer SO_RCVBUF to ask for before connecting, or 0 for the default
     * @param readTimeoutMillis how long a read may block before it fails
     */
    public static SseStream open(
            URI base, String pathAndQuery, int receiveBuffer, int readTimeoutMillis, String... headerPairs)
            throws IOException {
        Socket socket = new Socket();
        try {
            if (receiveBuffer > 0) {
                socket.setReceiveBufferSize(receiveBuffer);
            }
            socket.setSoTimeout(readTimeoutMillis);
            socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), readTimeoutMillis);
            StringBuilder request = new StringBuilder("GET ")
                    .append(pathAndQuery)
                    .append(" HTTP/1.1\r\n")
                    .append("Host: ")
                    .append(base.getHost())
                    .append(':')
                    .append(base.getPort())
                    .append("\r\n")
                    .append("Accept: text/event-stream\r\n");
            for (int i = 0; i < headerPairs.length; i += 2) {
                request.append(headerPairs[i])
                        .append(": ")
                        .append(headerPairs[i + 1])
                        .append("\r\n");
            }
            OutputStream out = socket.getOutputStream();
            out.write(request.append("\r\n").toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = new BufferedInputStream(socket.getInputStream(), 16384);
            String statusLine = line(in);
            if (statusLine == null || !statusLine.startsWith("HTTP/1.1 ")) {
                throw new IOException("not an HTTP/1.1 response: " + statusLine);
            }
            int status = Integer.parseInt(statusLine.substring(9, 12));
            Map<String, String> headers = new LinkedHashMap<>();
            for (String h = line(in); h != null && !h.isEmpty(); h = line(in)) {
                int colon = h.indexOf(':');
                headers.put(
                        h.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        h.substring(colon + 1).trim());
            }
            InputStream body;
            if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                body = new BufferedInputStream(new Chunked(in), 8192);
            } else if (headers.containsKey("content-length")) {
                body = new Sized(in, Long.parseLong(headers.get("content-length")));
            } else {
                body = in;
            }
            return new SseStream(socket, status, headers, body);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    public int status() {
        return status;
    }

    /** A response header, by case-insensitive name, or null. */
    public String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    /** The last {@code retry:} field the stream sent, or null. */
    public String retry() {
        return retry;
    }

    /** The rest of the body as text (for an error response). */
    public String readBody() throws IOException {
        return new String(body.readAllBytes(), StandardCharsets.UTF_8);
    }

    /**
     * The next event or comment; null when the server ended the body properly.
     *
     * @throws EOFException when the connection closed in the middle of the body
     * @throws java.net.SocketTimeoutException when nothing came within the read timeout
     */
    public Event next() throws IOException {
        while (true) {
            String line = bodyLine();
            if (line == null) {
                return null;
            }
            if (line.isEmpty()) {
                if (data != null || id != null || event != null) {
                    Event e =
                            new Event(id, event == null ? "message" : event, data == null ? "" : data.toString(), null);
                    id = null;
                    event = null;
                    data = null;
                    return e;
                }
                continue;
            }
            if (line.startsWith(":")) {
                return new Event(null, null, null, line.substring(1).strip());
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + (line.startsWith(": ", colon) ? 2 : 1));
            switch (field) {
                case "id" -> id = value;
                case "event" -> event = value;
                case "data" ->
                    data = data == null
                            ? new StringBuilder(value)
                            : data.append('\n').append(value);
                case "retry" -> retry = value;
                default -> {} // unknown fields are ignored
            }
        }
    }

    /** The next event that is not a comment; null at the end of the body. */
    public Event nextEvent() throws IOException {
        Event e;
        do {
            e = next();
        } while (e != null && e.isComment());
        return e;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // nothing to do
        }
    }

    /** {@link #line} for the body, without allocating a buffer per line: SSE clients can be many. */
    private String bodyLine() throws IOException {
        int n = 0;
        int b;
        while ((b = body.read()) >= 0 && b != '\n') {
            if (n == lineBuffer.length) {
                lineBuffer = java.util.Arrays.copyOf(lineBuffer, n * 2);
            }
            lineBuffer[n++] = (byte) b;
        }
        if (b < 0 && n == 0) {
            return null;
        }
        if (n > 0 && lineBuffer[n - 1] == '\r') {
            n--;
        }
        return new String(lineBuffer, 0, n, StandardCharsets.UTF_8);
    }

    /** One line without its LF (or CRLF); null at the end of the stream before any byte. */
    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(128);
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            buf.write(b);
        }
        if (b < 0 && buf.size() == 0) {
            return null;
        }
        byte[] bytes = buf.toByteArray();
        int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return new String(bytes, 0, n, StandardCharsets.UTF_8);
    }

    /** A chunked body; -1 after the last chunk, {@link EOFException} if the connection ends before it. */
    private static final class Chunked extends InputStream {
        private final InputStream in;
        private long remaining;
        private boolean started;
        private boolean ended;

        Chunked(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (ended) {
                return -1;
            }
            if (remaining == 0) {
                if (started && !"".equals(line(in))) {
                    throw new IOException("no CRLF after a chunk");
                }
                started = true;
                String size = line(in);
                if (size == null) {
                    throw new EOFException("the connection closed before the end of the chunked body");
                }
                int semicolon = size.indexOf(';');
                remaining = Long.parseLong((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
                if (remaining == 0) {
                    for (String trailer = line(in); trailer != null && !trailer.isEmpty(); trailer = line(in)) {
                        // trailers are not used
                    }
                    ended = true;
                    return -1;
                }
            }
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n < 0) {
                throw new EOFException("the connection closed inside a chunk");
            }
            remaining -= n;
            return n;
        }
    }

    /** A body with a Content-Length. */
    private static final class Sized extends InputStream {
        private final InputStream in;
        private long remaining;

        Sized(InputStream in, long length) {
            this.in = in;
            this.remaining = length;
        }

        @Override
        public int read() throws IOException {
            if (remaining == 0) {
                return -1;
            }
            int b = in.read();
            if (b < 0) {
                throw new EOFException("the connection closed inside the body");
            }
            remaining--;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining == 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n < 0) {
                throw new EOFException("the connection closed inside the body");
            }
            remaining -= n;
            return n;
        }
    }
}
