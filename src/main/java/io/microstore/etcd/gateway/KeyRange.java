package io.microstore.etcd.gateway;

import java.util.Arrays;

/**
 * Keys from {@code key} (inclusive) to {@code end} (exclusive), in etcd's byte order; {@code end} empty
 * means the single key {@code key}. Arrays are shared, not copied: do not change them afterwards.
 */
public record KeyRange(byte[] key, byte[] end) {
    public KeyRange {
        if (key == null || key.length == 0) {
            throw new IllegalArgumentException("etcd keys are never empty");
        }
        end = end == null ? new byte[0] : end;
    }

    /** Exactly {@code key}. */
    public static KeyRange single(byte[] key) {
        return new KeyRange(key, null);
    }

    /** Every key that starts with {@code prefix}. */
    public static KeyRange prefix(byte[] prefix) {
        return new KeyRange(prefix, prefixEnd(prefix));
    }

    /** The keys of {@code this} range from {@code from} on (a paging cursor: last key seen + a 0 byte). */
    public KeyRange from(byte[] from) {
        return new KeyRange(from, end);
    }

    /** The first key after every key that starts with {@code prefix}: the last byte below 0xFF, plus one. */
    static byte[] prefixEnd(byte[] prefix) {
        for (int i = prefix.length - 1; i >= 0; i--) {
            if (prefix[i] != (byte) 0xFF) {
                byte[] end = Arrays.copyOf(prefix, i + 1);
                end[i]++;
                return end;
            }
        }
        return new byte[] {0}; // all 0xFF: etcd reads range_end "\0" as "to the end of the key space"
    }
}
