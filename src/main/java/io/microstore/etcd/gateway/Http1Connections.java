package io.microstore.etcd.gateway;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * The gateway's unary calls over plain blocking HTTP/1.1 sockets, kept alive and reused, one request at a
 * time per connection, on the calling (virtual) thread. Measured against the JDK's HttpClient on the same
 * cluster this took most of microstore's own CPU per write away: the JDK client hands every exchange
 * between its selector thread and a pool of workers, several hops per call; here a call is one write and
 * one read on the caller's thread, and a connection goes back to the idle deque for the next caller.
 *
 * <p>Nothing is ever sent twice: a failure to connect (or to shake hands) sent nothing and is reported
 * as {@link ConnectException}, or {@link SSLException} from the handshake, before any byte of the request;
 * any failure after the request was written is the caller's "outcome unknown".
 */
final class Http1Connections implements AutoCloseable {
    /** Idle connections kept per endpoint; more are closed after their call (the pool stays bounded). */
    private static final int MAX_IDLE = 256;

    /** One answer: the HTTP status and the body as text. */
    record Answer(int status, String body) {}

    /** A response's status line and framing. */
    private record Head(int status, long length, boolean chunked) {}

    private final Duration connectTimeout;
    private final Optional<SSLContext> tls;
    private final Map<URI, ConcurrentLinkedDeque<Conn>> idle = new ConcurrentHashMap<>();
    private volatile boolean closed;

    Http1Connections(Duration connectTimeout, Optional<SSLContext> tls) {
        this.connectTimeout = connectTimeout;
        this.tls = tls;
    }

    /**
     * POSTs {@code body} to {@code path} of {@code endpoint} with {@code headers} (name, value, ...), waiting
     * at most {@code timeout} for the whole answer.
     *
     * @throws ConnectException or {@link SSLException} (from the handshake) when nothing was sent
     * @throws SocketTimeoutException when no answer came in time, IOException on any other failure after sending
     */
    Answer post(URI endpoint, String path, String body, Duration timeout, String... headers) throws IOException {
        if (closed) {
            throw new ConnectException("closed");
        }
        ConcurrentLinkedDeque<Conn> pool = idle.computeIfAbsent(endpoint, e -> new ConcurrentLinkedDeque<>());
        Conn conn = pool.pollFirst();
        while (conn != null && conn.stale()) {
            conn.close();
            conn = pool.pollFirst();
        }
        if (conn == null) {
            conn = connect(endpoint);
        }
        boolean reusable = false;
        try {
            conn.socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis())));
            send(conn, endpoint, path, body, headers);
            Answer answer = conn.read();
            reusable = conn.keepAlive;
            return answer;
        } finally {
            if (reusable && !closed) {
                ConcurrentLinkedDeque<Conn> deque = idle.get(endpoint);
                if (deque.size() < MAX_IDLE) {
                    deque.offerFirst(conn); // the most recently used first: the others may time out idle
                } else {
                    conn.close();
                }
            } else {
                conn.close();
            }
        }
    }

    /**
     * POSTs {@code body} on a connection of its own and answers the response's body as it comes, as text
     * lines (a watch's stream): the head must come within {@code timeout}, the body may take forever.
     * Closing the returned stream closes the connection, which ends a read blocked in it.
     *
     * @return the status and, for 200, the lines; else the whole body as one line
     */
    Streamed stream(URI endpoint, String path, String body, Duration timeout, String... headers) throws IOException {
        if (closed) {
            throw new ConnectException("closed");
        }
        Conn conn = connect(endpoint);
        try {
            conn.socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis())));
            send(conn, endpoint, path, body, headers);
            Head head = conn.head();
            if (head.status() != 200 || !head.chunked()) {
                int status = head.status();
                String text = head.chunked() || head.length() >= 0 ? conn.restOf(head) : "";
                conn.close();
                return new Streamed(status, Stream.of(text));
            }
            conn.socket.setSoTimeout(0); // a watch is quiet while nothing changes
            BufferedReader reader = new BufferedReader(new InputStreamReader(conn.chunks(), StandardCharsets.UTF_8));
            return new Streamed(200, reader.lines().onClose(conn::close));
        } catch (IOException | RuntimeException e) {
            conn.close();
            throw e;
        }
    }

    /** A streamed answer: its status and its body's lines (closing them closes the connection). */
    record Streamed(int status, Stream<String> lines) {}

    private static void send(Conn conn, URI endpoint, String path, String body, String... headers) throws IOException {
        byte[] content = body.getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder(160 + 40 * headers.length)
                .append("POST ")
                .append(path)
                .append(" HTTP/1.1\r\nHost: ")
                .append(endpoint.getHost())
                .append(':')
                .append(endpoint.getPort())
                .append("\r\nContent-Type: application/json\r\nContent-Length: ")
                .append(content.length)
                .append("\r\n");
        for (int i = 0; i + 1 < headers.length; i += 2) {
            head.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
        }
        head.append("\r\n");
        conn.out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        conn.out.write(content);
        conn.out.flush();
    }

    private Conn connect(URI endpoint) throws IOException {
        int port = endpoint.getPort() > 0 ? endpoint.getPort() : "https".equals(endpoint.getScheme()) ? 443 : 80;
        SocketChannel channel = SocketChannel.open();
        Socket plain = channel.socket();
        try {
            plain.setTcpNoDelay(true);
            plain.connect(new InetSocketAddress(endpoint.getHost(), port), (int) connectTimeout.toMillis());
        } catch (SocketTimeoutException e) {
            plain.close();
            throw new ConnectException("connect timed out after " + connectTimeout);
        } catch (IOException e) {
            plain.close();
            throw e instanceof ConnectException ? e : new ConnectException(e.toString());
        }
        if (!"https".equals(endpoint.getScheme())) {
            return new Conn(channel, plain);
        }
        SSLContext context;
        try {
            context = tls.isPresent() ? tls.get() : SSLContext.getDefault();
        } catch (java.security.NoSuchAlgorithmException e) {
            plain.close();
            throw new SSLException("no TLS context", e);
        }
        SSLSocket secure = (SSLSocket) context.getSocketFactory().createSocket(plain, endpoint.getHost(), port, true);
        try {
            SSLParameters params = secure.getSSLParameters();
            params.setEndpointIdentificationAlgorithm(
                    "HTTPS"); // the certificate must name the host, as the JDK client checks
            secure.setSSLParameters(params);
            secure.setSoTimeout((int) connectTimeout.toMillis());
            secure.startHandshake();
        } catch (IOException e) {
            secure.close();
            throw e instanceof SSLException ? e : new SSLException("TLS handshake failed: " + e, e);
        }
        return new Conn(channel, secure);
    }

    @Override
    public void close() {
        closed = true;
        for (ConcurrentLinkedDeque<Conn> deque : idle.values()) {
            Conn conn;
            while ((conn = deque.pollFirst()) != null) {
                conn.close();
            }
        }
    }

    /** One connection and its buffered streams. */
    private static final class Conn {
        final SocketChannel channel; // the TCP connection, under TLS or not
        final Socket socket;
        final InputStream in;
        final OutputStream out;
        boolean keepAlive;

        Conn(SocketChannel channel, Socket socket) throws IOException {
            this.channel = channel;
            this.socket = socket;
            this.in = new BufferedInputStream(socket.getInputStream(), 8192);
            this.out = new java.io.BufferedOutputStream(socket.getOutputStream(), 8192);
        }

        /** Reads one response: status line, headers, a body by Content-Length or chunked. */
        Answer read() throws IOException {
            Head head = head();
            long length = head.length();
            ByteArrayOutputStream body = new ByteArrayOutputStream(length > 0 ? (int) Math.min(length, 1 << 20) : 512);
            if (head.chunked()) {
                while (true) {
                    long n = chunkSize();
                    if (n == 0) {
                        break;
                    }
                    copy(n, body);
                    line();
                }
            } else if (length >= 0) {
                copy(length, body);
            } else { // no length: the body ends with the connection
                in.transferTo(body);
                keepAlive = false;
            }
            return new Answer(head.status(), body.toString(StandardCharsets.UTF_8));
        }

        /** The size of the next chunk; 0 (the last, trailers read) at the end. */
        long chunkSize() throws IOException {
            String size = line();
            int semi = size.indexOf(';');
            long n = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).strip(), 16);
            if (n == 0) {
                while (!line().isEmpty()) {} // trailers
            }
            return n;
        }

        /** The status line and headers of a response. */
        Head head() throws IOException {
            String status = line();
            if (!status.startsWith("HTTP/1.")) {
                throw new IOException("not an HTTP/1 answer: " + status);
            }
            int code = Integer.parseInt(status.substring(9, 12));
            keepAlive = status.startsWith("HTTP/1.1");
            long length = -1;
            boolean chunked = false;
            for (String header = line(); !header.isEmpty(); header = line()) {
                int colon = header.indexOf(':');
                if (colon < 0) {
                    continue;
                }
                String name = header.substring(0, colon).strip();
                String value = header.substring(colon + 1).strip();
                if (name.equalsIgnoreCase("Content-Length")) {
                    length = Long.parseLong(value);
                } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
                    chunked = value.toLowerCase(java.util.Locale.ROOT).contains("chunked");
                } else if (name.equalsIgnoreCase("Connection")) {
                    keepAlive = !value.equalsIgnoreCase("close");
                }
            }
            return new Head(code, length, chunked);
        }

        /** The body after {@code head}, whole, as text. */
        String restOf(Head head) throws IOException {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            if (head.chunked()) {
                for (long n = chunkSize(); n > 0; n = chunkSize()) {
                    copy(n, body);
                    line();
                }
            } else {
                copy(head.length(), body);
            }
            return body.toString(StandardCharsets.UTF_8);
        }

        /** The rest of a chunked body as a stream, decoded as it is read. */
        InputStream chunks() {
            return new InputStream() {
                private long left; // of the current chunk
                private boolean done;

                @Override
                public int read() throws IOException {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    if (done) {
                        return -1;
                    }
                    if (left == 0) {
                        left = chunkSize();
                        if (left == 0) {
                            done = true;
                            return -1;
                        }
                    }
                    int n = in.read(b, off, (int) Math.min(len, left));
                    if (n < 0) {
                        throw new EOFException("the stream ended inside a chunk");
                    }
                    left -= n;
                    if (left == 0) {
                        line(); // the CRLF after the chunk
                    }
                    return n;
                }
            };
        }

        private void copy(long n, ByteArrayOutputStream to) throws IOException {
            byte[] buffer = new byte[(int) Math.min(n, 8192)];
            while (n > 0) {
                int read = in.read(buffer, 0, (int) Math.min(n, buffer.length));
                if (read < 0) {
                    throw new EOFException("the answer ended early");
                }
                to.write(buffer, 0, read);
                n -= read;
            }
        }

        /** One line up to CRLF (the CRLF dropped), as ISO-8859-1. */
        private String line() throws IOException {
            StringBuilder sb = new StringBuilder(64);
            while (true) {
                int c = in.read();
                if (c < 0) {
                    throw new EOFException("the connection closed before the answer ended");
                }
                if (c == '\n') {
                    int end = sb.length();
                    return end > 0 && sb.charAt(end - 1) == '\r' ? sb.substring(0, end - 1) : sb.toString();
                }
                sb.append((char) c);
            }
        }

        /**
         * Whether an idle connection can no longer carry a request: the member closed it (it stopped or
         * restarted) or sent something unasked. Checked before each reuse, without blocking, so that a
         * request is never written into a connection that is known dead, where it would fail after
         * sending, as an unknown outcome.
         */
        boolean stale() {
            if (in instanceof BufferedInputStream buffered && available(buffered) > 0) {
                return true;
            }
            try {
                channel.configureBlocking(false);
                try {
                    return channel.read(ByteBuffer.allocate(1)) != 0;
                } finally {
                    channel.configureBlocking(true);
                }
            } catch (IOException | RuntimeException e) {
                return true;
            }
        }

        private static int available(BufferedInputStream in) {
            try {
                return in.available();
            } catch (IOException e) {
                return 1;
            }
        }

        void close() {
            try {
                socket.close();
                channel.close();
            } catch (IOException e) {
                // closing a connection we give up on: nothing to do about a failure
            }
        }
    }
}
