package io.microstore.json.patch;

import java.util.Arrays;

/** A value exactly as its bytes stand in a {@link Source}: untouched, so written back unchanged. */
final class Raw extends Node {
    final Source source;
    final int from;
    final int to;

    Raw(Source source, int from, int to) {
        this.source = source;
        this.from = from;
        this.to = to;
    }

    /** A whole buffer of valid compact JSON. */
    static Raw of(byte[] json) {
        return new Raw(new Source(json), 0, json.length);
    }

    @Override
    Kind kind() {
        return switch (source.buf[from]) {
            case '{' -> Kind.OBJECT;
            case '[' -> Kind.ARRAY;
            case '"' -> Kind.STRING;
            case 't' -> Kind.TRUE;
            case 'f' -> Kind.FALSE;
            case 'n' -> Kind.NULL;
            default -> Kind.NUMBER;
        };
    }

    int length() {
        return to - from;
    }

    boolean sameBytes(Raw other) {
        return Arrays.equals(source.buf, from, to, other.source.buf, other.from, other.to);
    }

    /** Whether this is all of {@code json}, untouched (a patch that changed nothing returns the same array). */
    boolean isAll(byte[] json) {
        return source.buf == json && from == 0 && to == json.length;
    }

    @Override
    void write(Output out, int depth) {
        out.raw(this, depth);
    }
}
