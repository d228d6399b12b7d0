package io.microstore.etcd;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * An app's value as etcd holds it: its compact JSON as it is, or, for a value with a deadline (a PUT with
 * {@code ?ttl=}), the JSON after a one-line envelope that carries the deadline to every instance's index
 * through the watch:
 *
 * <pre>
 * #expires 1767225630000
 * {"holder":"me"}
 * </pre>
 *
 * that is {@code "#expires " <epoch millis> LF <compact JSON>}. A JSON text never starts with {@code #}, so
 * a value with the envelope is never taken for one without, and values written before expiry existed read
 * unchanged. The key is then attached to an etcd lease that ends at that deadline (see {@link TxnWriter}):
 * the envelope only tells the instances when; etcd deletes the key.
 */
final class Values {
    private static final byte[] EXPIRES = "#expires ".getBytes(StandardCharsets.US_ASCII);

    /** A value read from etcd: its JSON and its deadline (epoch millis, 0 = never). */
    record Stored(byte[] data, long expires) {}

    private Values() {}

    /** The bytes to store for {@code data} with deadline {@code expires} (0 = never: the JSON alone). */
    static byte[] encode(byte[] data, long expires) {
        if (expires <= 0) {
            return data;
        }
        byte[] millis = Long.toString(expires).getBytes(StandardCharsets.US_ASCII);
        byte[] value = new byte[EXPIRES.length + millis.length + 1 + data.length];
        System.arraycopy(EXPIRES, 0, value, 0, EXPIRES.length);
        System.arraycopy(millis, 0, value, EXPIRES.length, millis.length);
        value[EXPIRES.length + millis.length] = '\n';
        System.arraycopy(data, 0, value, EXPIRES.length + millis.length + 1, data.length);
        return value;
    }

    /**
     * Reads what {@link #encode} wrote (or a value written without expiry). Bytes that only look like an
     * envelope (written by something else than microstore) are taken as they are, as any other value is.
     */
    static Stored decode(byte[] value) {
        if (value.length < EXPIRES.length
                || value[0] != '#'
                || !Arrays.equals(value, 0, EXPIRES.length, EXPIRES, 0, EXPIRES.length)) {
            return new Stored(value, 0);
        }
        long expires = 0;
        int at = EXPIRES.length;
        while (at < value.length && value[at] >= '0' && value[at] <= '9' && at - EXPIRES.length < 18) {
            expires = expires * 10 + (value[at++] - '0');
        }
        if (at == EXPIRES.length || at >= value.length || value[at] != '\n') {
            return new Stored(value, 0);
        }
        return new Stored(Arrays.copyOfRange(value, at + 1, value.length), expires);
    }
}
