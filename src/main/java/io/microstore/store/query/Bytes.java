package io.microstore.store.query;

import java.util.Arrays;

import io.microstore.json.JsonText;

/**
 * Lazy navigation of stored compact JSON: finds the bytes a pointer names by skipping over everything else, so a
 * match builds no tree for the document, only (at most) for the value it compares.
 */
final class Bytes {
    /** What {@link #find} answers when the pointer names nothing. */
    static final long MISSING = -1;

    private Bytes() {}

    /** The end (exclusive) of the valid compact value starting at {@code pos}. */
    static int skip(byte[] buf, int pos) {
        byte b = buf[pos];
        if (b == '"') {
            int i = pos + 1;
            while (buf[i] != '"') {
                i += buf[i] == '\\' ? 2 : 1;
            }
            return i + 1;
        }
        if (b == '{' || b == '[') {
            int depth = 0;
            int i = pos;
            while (true) {
                byte c = buf[i];
                if (c == '"') {
                    i = skip(buf, i);
                    continue;
                }
                if (c == '{' || c == '[') {
                    depth++;
                } else if ((c == '}' || c == ']') && --depth == 0) {
                    return i + 1;
                }
                i++;
            }
        }
        int i = pos + 1;
        while (i < buf.length && buf[i] != ',' && buf[i] != ']' && buf[i] != '}') {
            i++;
        }
        return i;
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
                long found = member(buf, from, path.utf8(t), path.token(t));
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

    private static long member(byte[] buf, int from, byte[] utf8, String name) {
        long found = MISSING;
        int i = from + 1;
        if (buf[i] == '}') {
            return MISSING;
        }
        while (true) {
            int nameEnd = skip(buf, i);
            int valueEnd = skip(buf, nameEnd + 1);
            if (sameName(buf, i, nameEnd, utf8, name)) {
                found = (long) (nameEnd + 1) << 32 | valueEnd;
            }
            if (buf[valueEnd] == '}') {
                return found;
            }
            i = valueEnd + 1;
        }
    }

    /** Whether the name token {@code buf[from, to)} spells {@code name}, escaped or not. */
    private static boolean sameName(byte[] buf, int from, int to, byte[] utf8, String name) {
        if (Selector.plain(utf8) && Arrays.equals(buf, from + 1, to - 1, utf8, 0, utf8.length)) {
            return true;
        }
        for (int i = from + 1; i < to - 1; i++) {
            if (buf[i] == '\\') {
                return JsonText.decode(buf, from, to).equals(name);
            }
        }
        return false;
    }
}
