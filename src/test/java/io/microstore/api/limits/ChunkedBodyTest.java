package io.microstore.api.limits;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Supplier;
import java.util.stream.Stream;

import io.helidon.common.buffers.DataReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@link ChunkedBody} over a connection's reader fed whole or one byte per socket read (the worst
 * split a client's writes can arrive in), with a stand-in for Helidon's reading of the last chunk.
 */
class ChunkedBodyTest {
    private static final String NEXT = "GET /next HTTP/1.1\r\n";

    @ParameterizedTest(name = "one byte per read: {0}")
    @MethodSource("splits")
    void decodesChunksAndStopsWhereTheNextRequestStarts(boolean byteByByte) throws IOException {
        // CRLF inside a chunk's data is data; leading zeros in a size are allowed
        String wire = "9\r\n{\"data\":[\r\n0004\r\n1,\r\n\r\n3\r\n2]}\r\n0\r\n\r\n" + NEXT;
        Connection c = new Connection(wire, byteByByte);
        assertThat(new String(c.body.readAllBytes(), StandardCharsets.ISO_8859_1), is("{\"data\":[1,\r\n2]}"));
        assertThat(c.body.read(), is(-1));
        assertThat(c.raw.readLine(), is(NEXT.strip()));
    }

    @ParameterizedTest(name = "{0}, one byte per read: {2}")
    @MethodSource("malformed")
    void malformedFramingIsRefusedAndNothingAfterItIsRead(String what, String wire, boolean byteByByte) {
        Connection c = new Connection(wire, byteByByte);
        MalformedChunks e = assertThrows(MalformedChunks.class, c.body::readAllBytes, what);
        assertThat(e.getMessage(), containsString("malformed"));
        assertThrows(MalformedChunks.class, c.body::read, "a second read after the failure");
    }

    @Test
    void aChunkSizeOfFifteenHexDigitsIsInRangeAndSixteenAreNot() throws IOException {
        assertThat(new Connection("fffffffffffffff\r\nx", false).body.read(), is((int) 'x'));
        assertThat(new Connection("000000000000000000001\r\nx\r\n", false).body.read(), is((int) 'x'));
        assertThrows(MalformedChunks.class, new Connection("1000000000000000\r\nx", false).body::read);
    }

    static Stream<Arguments> splits() {
        return Stream.of(Arguments.of(false), Arguments.of(true));
    }

    static Stream<Arguments> malformed() {
        String[][] cases = {
            {"a size line ending in a bare LF", "a\n{\"data\":1}\n0\n\n"},
            {"a bare LF in a size line before a CRLF", "a\n{\"data\":1}\r\n0\r\n\r\n"},
            {"a size line ending in a bare CR", "a\r{\"data\":1}\r\n0\r\n\r\n"},
            {"two other bytes where a chunk's CRLF must be", "5\r\nhelloXY0\r\n\r\n"},
            {"CR then another byte after a chunk", "5\r\nhello\rX0\r\n\r\n"},
            {"a bare LF after a chunk", "5\r\nhello\n0\r\n\r\n"},
            {"a size that is not hex", "zz\r\n"},
            {"a signed size", "+5\r\nhello\r\n0\r\n\r\n"},
            {"a space before the size", " 5\r\nhello\r\n0\r\n\r\n"},
            {"a space after the size", "5 \r\nhello\r\n0\r\n\r\n"},
            {"an empty size line", "\r\nhello\r\n0\r\n\r\n"},
            {"a chunk extension", "5;name=value\r\nhello\r\n0\r\n\r\n"},
            {"a size line over 64 bytes", "0".repeat(70) + "5\r\nhello\r\n0\r\n\r\n"},
            {"a trailer field", "5\r\nhello\r\n0\r\nX-Trailer: 1\r\n\r\n"},
            {"a last chunk ending in a bare LF", "5\r\nhello\r\n0\n\r\n"},
            {"the connection ends inside a chunk", "a\r\n{\"da"},
            {"the connection ends before a CRLF", "5\r\nhello"},
        };
        return Arrays.stream(cases).flatMap(c -> {
            // a next request after the body, unless the case is a connection that ends
            String wire = c[0].startsWith("the connection ends") ? c[1] : c[1] + NEXT;
            return Stream.of(Arguments.of(c[0], wire, false), Arguments.of(c[0], wire, true));
        });
    }

    /**
     * A connection's reader over {@code wire}, which the client then closes, and the body decoded from it. The stand-in for Helidon's stream reads the last chunk
     * as Helidon 4.5.0 does: a CRLF line of zeros, then an empty CRLF line, else an exception.
     */
    private static final class Connection {
        final DataReader raw;
        final ChunkedBody body;

        Connection(String wire, boolean byteByByte) {
            byte[] bytes = wire.getBytes(StandardCharsets.ISO_8859_1);
            int[] at = {0};
            Supplier<byte[]> socket = () -> {
                if (at[0] == bytes.length) {
                    return null; // the client closed the connection
                }
                int n = byteByByte ? 1 : bytes.length - at[0];
                byte[] read = Arrays.copyOfRange(bytes, at[0], at[0] + n);
                at[0] += n;
                return read;
            };
            raw = new DataReader(socket);
            body = new ChunkedBody(raw, new InputStream() {
                @Override
                public int read() {
                    if (!raw.readLine().matches("0+") || !raw.readLine().isEmpty()) {
                        throw new IllegalStateException("Invalid terminating chunk");
                    }
                    return -1;
                }
            });
        }
    }
}
