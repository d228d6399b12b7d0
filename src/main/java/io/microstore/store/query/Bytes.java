package io.microstore.store.query;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

import io.microstore.json.JsonText;

/**
 * Lazy navigation of stored compact JSON: finds the bytes a pointer names by skipping over everything else, so a
 * match builds no tree for the document, only (at most) for the value it compares. This is the inner loop of every
 * unindexed scan, so it is written for speed: flat loops without recursion, names compared as bytes, and the rest of
 * an object after the member found tested eight bytes at a time for a repeat of its name instead of walked.
 */
final class Bytes {
    /** What {@link #find} answers when the pointer names nothing. */
    static final long MISSING = -1;

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long LOW7 = 0x7F7F7F7F7F7F7F7FL;
    private static final long QUOTES = ONES * '"';
    private static final long BACKSLASHES = ONES * '\\';

    private Bytes() {}

    /** The end (exclusive) of the valid compact value starting at {@code pos}. */
    static int skip(byte[] buf, int pos) {
        byte b = buf[pos];
        if (b == '"') {
            return stringEnd(buf, pos);
        }
        if (b == '{' || b == '[') {
            return containerEnd(buf, pos);
        }
        if (b == 't' || b == 'n') {
            return pos + 4;
        }
        if (b == 'f') {
            return pos + 5;
        }
        int i = pos + 1; // a number: it ends at a delimiter, or at the end of a document that is only a number
        while (i < buf.length) {
            byte c = buf[i];
            if (c == ',' || c == ']' || c == '}') {
                break;
            }
            i++;
        }
        return i;
    }

    /** The end (exclusive) of the string token starting at {@code pos}. */
    private static int stringEnd(byte[] buf, int pos) {
        int i = pos + 1;
        while (true) {
            byte c = buf[i];
            if (c == '"') {
                return i + 1;
            }
            i += c == '\\' ? 2 : 1;
        }
    }

    /** The end (exclusive) of the object or array starting at {@code pos}: one loop, strings skipped inline. */
    private static int containerEnd(byte[] buf, int pos) {
        int depth = 1;
        int i = pos + 1;
        while (true) {
            byte c = buf[i++];
            if (c == '"') {
                while (true) {
                    byte s = buf[i++];
                    if (s == '"') {
                        break;
                    }
                    if (s == '\\') {
                        i++;
                    }
                }
            } else if (c == '{' || c == '[') {
                depth++;
            } else if ((c == '}' || c == ']') && --depth == 0) {
                return i;
            }
        }
    }

    /**
     * The range {@code from << 32 | to} of the value {@code path} names inside {@code buf[from, to)}, or
     * {@link #MISSING}: a member that is not there, an index past the end (or "-"), or a step through a value
     * that is neither an object nor an array. A repeated member name: the last one wins.
     */
    static long find(byte[] buf, int from, int to, Path path) {
        for (int t = 0; t < path.size(); t++) {
            byte open = buf[from];
            if (open == '{') {
                long found = member(buf, from, to, path, t);
                if (found == MISSING) {
                    return MISSING;
                }
                from = (int) (found >>> 32);
                to = (int) found;
            } else if (open == '[') {
                int index = path.index(t);
                if (index < 0) {
                    return MISSING;
                }
                int i = from + 1;
                if (buf[i] == ']') {
                    return MISSING;
                }
                for (int k = 0; ; k++) {
                    int end = skip(buf, i);
                    if (k == index) {
                        from = i;
                        to = end;
                        break;
                    }
                    if (buf[end] == ']') {
                        return MISSING;
                    }
                    i = end + 1;
                }
            } else {
                return MISSING;
            }
        }
        return (long) from << 32 | to;
    }

    /** The value of the member named by token {@code t} of {@code path} in the object {@code buf[from, to)}. */
    private static long member(byte[] buf, int from, int to, Path path, int t) {
        byte[] name = path.utf8(t);
        boolean plain = path.plain(t);
        long found = MISSING;
        int i = from + 1;
        if (buf[i] == '}') {
            return MISSING;
        }
        while (true) {
            // The name token buf[i, nameEnd): an escape in it means it must be decoded to be compared.
            boolean escaped = false;
            int j = i + 1;
            while (true) {
                byte c = buf[j];
                if (c == '"') {
                    break;
                }
                if (c == '\\') {
                    escaped = true;
                    j += 2;
                } else {
                    j++;
                }
            }
            int nameEnd = j + 1;
            int valueEnd = skip(buf, nameEnd + 1);
            boolean same = escaped
                    ? JsonText.decode(buf, i, nameEnd).equals(path.token(t))
                    : plain && j - i - 1 == name.length && Arrays.equals(buf, i + 1, j, name, 0, name.length);
            if (same) {
                found = (long) (nameEnd + 1) << 32 | valueEnd;
                // The last one wins, but a repeat is rare: unless the rest may hold one, this is it.
                if (buf[valueEnd] == '}' || (plain && !mayRepeat(buf, valueEnd, to, name))) {
                    return found;
                }
            }
            if (buf[valueEnd] == '}') {
                return found;
            }
            i = valueEnd + 1;
        }
    }

    /**
     * Whether {@code buf[from, to)} may hold a member named {@code name} (plain UTF-8): it has a backslash (an
     * escaped name may spell it) or a quote followed by the name's first byte (or by a quote, for the name "").
     * Without either, no name token there spells it. Tested eight bytes at a time.
     */
    static boolean mayRepeat(byte[] buf, int from, int to, byte[] name) {
        byte first = name.length == 0 ? (byte) '"' : name[0];
        long firsts = ONES * (first & 0xFF);
        boolean quoteBefore = false;
        int i = from;
        for (; i + 8 <= to; i += 8) {
            long w = (long) LONGS.get(buf, i);
            long quotes = zeros(w ^ QUOTES);
            long firstsHere = zeros(w ^ firsts);
            long hit = zeros(w ^ BACKSLASHES) | ((quotes << 8) & firstsHere) | (quoteBefore ? firstsHere & 0x80L : 0);
            if (hit != 0) {
                return true;
            }
            quoteBefore = quotes < 0; // the last byte is a quote
        }
        for (; i < to; i++) {
            byte c = buf[i];
            if (c == '\\' || (quoteBefore && c == first)) {
                return true;
            }
            quoteBefore = c == '"';
        }
        return false;
    }

    /** 0x80 in each byte of {@code x} that is zero, and 0 in every other bit (exact: no carries between bytes). */
    private static long zeros(long x) {
        return ~(((x & LOW7) + LOW7) | x | LOW7);
    }
}
