package io.microstore.json.patch;

import java.util.Arrays;

/**
 * A buffer of valid compact JSON (a stored value, a patch document, or a value copied while patching)
 * that nodes point into. Where a container ends is looked up in an index of every container's start and
 * end, made in one pass the first time it is needed, so walking into a deeply nested value costs its
 * length once, not once per level.
 */
final class Source {
    final byte[] buf;
    private int[] opens; // the start of every container, ascending
    private int[] closes; // the end (its closing bracket) of the container at the same index
    private int containers = -1;

    Source(byte[] buf) {
        this.buf = buf;
    }

    /** The end (exclusive) of the value that starts at {@code pos}. */
    int end(int pos, Work work) {
        return switch (buf[pos]) {
            case '{', '[' -> closeOf(pos, work) + 1;
            case '"' -> stringEnd(buf, pos);
            default -> scalarEnd(pos);
        };
    }

    private int scalarEnd(int pos) {
        int i = pos;
        while (i < buf.length && buf[i] != ',' && buf[i] != ']' && buf[i] != '}' && buf[i] != ':') {
            i++;
        }
        return i;
    }

    /** The end (exclusive) of the string token that starts at {@code pos}. */
    static int stringEnd(byte[] buf, int pos) {
        int i = pos + 1;
        while (buf[i] != '"') {
            i += buf[i] == '\\' ? 2 : 1;
        }
        return i + 1;
    }

    private int closeOf(int open, Work work) {
        if (containers < 0) {
            index(work);
        }
        return closes[Arrays.binarySearch(opens, 0, containers, open)];
    }

    private void index(Work work) {
        work.charge(buf.length);
        int[] stack = new int[64];
        int depth = 0;
        opens = new int[16];
        closes = new int[16];
        containers = 0;
        for (int i = 0; i < buf.length; i++) {
            byte b = buf[i];
            if (b == '"') {
                i = stringEnd(buf, i) - 1;
            } else if (b == '{' || b == '[') {
                if (containers == opens.length) {
                    opens = Arrays.copyOf(opens, containers * 2);
                    closes = Arrays.copyOf(closes, containers * 2);
                }
                if (depth == stack.length) {
                    stack = Arrays.copyOf(stack, depth * 2);
                }
                opens[containers] = i;
                stack[depth++] = containers++;
            } else if (b == '}' || b == ']') {
                closes[stack[--depth]] = i;
            }
        }
    }

    /**
     * How deeply the values at {@code [from, to)} (one, or a run of array elements) nest: 0 for scalars, 1
     * for {@code []}, 2 for {@code [[]]}.
     */
    int nesting(int from, int to) {
        int depth = 0;
        int max = 0;
        for (int i = from; i < to; i++) {
            byte b = buf[i];
            if (b == '"') {
                i = stringEnd(buf, i) - 1;
            } else if (b == '{' || b == '[') {
                max = Math.max(max, ++depth);
            } else if (b == '}' || b == ']') {
                depth--;
            }
        }
        return max;
    }
}
