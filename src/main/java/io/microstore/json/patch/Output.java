package io.microstore.json.patch;

import java.util.Arrays;

import io.microstore.json.CompactJson;
import io.microstore.json.PatchRefused;

/**
 * Writes a patched value as compact JSON: raw values byte for byte, opened ones member by member. It
 * keeps the limits of a PUT as it goes, so nothing is stored that a PUT would refuse: at most
 * {@code maxBytes}, and nested no deeper than {@link CompactJson#MAX_DEPTH} levels counting the PUT body
 * {@code {"data": ...}} around it. Writing is iterative over raw bytes and recursive only over what was
 * opened, which the depth limit bounds.
 */
final class Output {
    private final long maxBytes;
    private final Work work;
    private byte[] buf = new byte[256];
    private int size;

    Output(long maxBytes, Work work) {
        this.maxBytes = maxBytes;
        this.work = work;
    }

    /** {@code value} as compact JSON, opening at nesting level {@code depth}. */
    static byte[] write(Node value, int depth, long maxBytes, Work work) {
        Output out = new Output(maxBytes, work);
        value.write(out, depth);
        return Arrays.copyOf(out.buf, out.size);
    }

    void write(int b) {
        room(1);
        buf[size++] = (byte) b;
    }

    void write(byte[] bytes, int from, int length) {
        room(length);
        System.arraycopy(bytes, from, buf, size, length);
        size += length;
    }

    /** Opens an object or array at nesting level {@code depth}. */
    void open(char bracket, int depth) {
        if (depth > CompactJson.MAX_DEPTH) {
            throw tooDeep();
        }
        write(bracket);
    }

    void raw(Raw raw, int depth) {
        raw(raw.source, raw.from, raw.to, depth);
    }

    /** Copies source bytes (one value, or a run of array elements) whose containers open at level {@code depth}. */
    void raw(Source source, int from, int to, int depth) {
        work.charge(to - from);
        int nesting = source.nesting(from, to);
        if (nesting > 0 && depth + nesting - 1 > CompactJson.MAX_DEPTH) {
            throw tooDeep();
        }
        write(source.buf, from, to - from);
    }

    private void room(int more) {
        if (size + (long) more > maxBytes) {
            throw new PatchRefused(
                    "the patched value would be larger than " + maxBytes + " bytes (server.max-payload-size)");
        }
        if (size + more > buf.length) {
            buf = Arrays.copyOf(buf, (int) Math.min(Math.max(buf.length * 2L, size + (long) more), maxBytes));
        }
    }

    private static PatchRefused tooDeep() {
        return new PatchRefused("the patched value is not storable: it would nest deeper than " + CompactJson.MAX_DEPTH
                + " levels as a PUT body {\"data\": ...}");
    }
}
