package io.microstore.json;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Validates JSON text given as raw UTF-8 bytes (RFC 8259 grammar and well-formed UTF-8) and returns
 * it compact, without insignificant white space.
 *
 * <p>Strings and numbers are copied byte for byte, so a value round-trips exactly: big integers,
 * {@code 1e300}, escapes and unicode come back as they were sent. This is why the hot PUT path does
 * not go through a JSON-P tree: Parsson would re-render numbers and decode invalid UTF-8 silently.
 * Nesting of objects and arrays is limited to {@link #MAX_DEPTH}, the same limit Parsson applies,
 * so whatever is stored can later be patched.
 */
public final class CompactJson {
    /** Deepest nesting of objects and arrays accepted (Parsson's default limit). */
    public static final int MAX_DEPTH = 1000;

    private final byte[] in;
    private final byte[] out;
    private int pos;
    private int size;

    private CompactJson(byte[] in) {
        this.in = in;
        this.out = new byte[in.length]; // compact output is never longer than its input
        // A UTF-8 byte order mark is not JSON, but some tools write one; it carries no data.
        if (in.length >= 3 && in[0] == (byte) 0xEF && in[1] == (byte) 0xBB && in[2] == (byte) 0xBF) {
            pos = 3;
        }
    }

    /** Returns the compact form of a complete JSON text. */
    public static byte[] compact(byte[] text) {
        CompactJson p = new CompactJson(text);
        p.value(0);
        p.expectEnd();
        return Arrays.copyOf(p.out, p.size);
    }

    /**
     * Parses a JSON text that must be an object and returns the compact bytes of the value of its
     * member {@code name} (the last one if repeated, as most parsers do), or null when there is none.
     */
    public static byte[] member(byte[] text, String name) {
        byte[] wanted = JsonText.quote(name);
        int[] found = {-1, -1};
        CompactJson p = new CompactJson(text);
        p.topObject((nameFrom, nameTo, from, to) -> {
            if (JsonText.sameString(p.out, nameFrom, nameTo, wanted)) {
                found[0] = from;
                found[1] = to;
            }
        });
        return found[0] < 0 ? null : Arrays.copyOfRange(p.out, found[0], found[1]);
    }

    /**
     * Parses a JSON text that must be an object (a request's: a transaction's operation, a query, an
     * import's line) and returns its members in order, each name decoded and each value compact (byte for
     * byte as written, numbers included).
     *
     * @throws RepeatedMember when it names a member twice
     */
    public static Map<String, byte[]> members(byte[] text) {
        Map<String, byte[]> members = new LinkedHashMap<>();
        CompactJson p = new CompactJson(text);
        p.topObject((nameFrom, nameTo, from, to) -> {
            String name = JsonText.decode(p.out, nameFrom, nameTo);
            if (members.put(name, Arrays.copyOfRange(p.out, from, to)) != null) {
                throw new RepeatedMember(name);
            }
        });
        return members;
    }

    /**
     * Parses a JSON text that must be an array and returns its elements in order, each compact (byte for
     * byte as written). Nesting counts from the array, which is level 1.
     */
    public static List<byte[]> elements(byte[] text) {
        List<byte[]> elements = new ArrayList<>();
        CompactJson p = new CompactJson(text);
        p.skipWhitespace();
        if (p.pos >= p.in.length) {
            throw p.error("empty body, expected a JSON array");
        }
        if (p.in[p.pos] != '[') {
            p.value(0);
            p.expectEnd();
            throw new MalformedJson("expected a JSON array", 0);
        }
        p.open('[', 1);
        if (!p.closes(']')) {
            do {
                int from = p.size;
                p.value(1);
                elements.add(Arrays.copyOfRange(p.out, from, p.size));
            } while (p.nextMember(']'));
        }
        p.expectEnd();
        return elements;
    }

    /** Receives each member of the top-level object: its name token and value as ranges of {@code out}. */
    @FunctionalInterface
    private interface MemberVisitor {
        void member(int nameFrom, int nameTo, int valueFrom, int valueTo);
    }

    private void topObject(MemberVisitor visitor) {
        skipWhitespace();
        if (pos >= in.length) {
            throw error("empty body, expected a JSON object");
        }
        if (in[pos] != '{') {
            value(0);
            expectEnd();
            throw new MalformedJson("expected a JSON object", 0);
        }
        open('{', 1);
        if (!closes('}')) {
            do {
                int nameFrom = size;
                memberName();
                int nameTo = size;
                colon();
                int valueFrom = size;
                value(1);
                visitor.member(nameFrom, nameTo, valueFrom, size);
            } while (nextMember('}'));
        }
        expectEnd();
    }

    private void value(int depth) {
        skipWhitespace();
        if (pos >= in.length) {
            throw error("unexpected end of JSON");
        }
        byte b = in[pos];
        switch (b) {
            case '{' -> object(depth + 1);
            case '[' -> array(depth + 1);
            case '"' -> string();
            case 't' -> literal("true");
            case 'f' -> literal("false");
            case 'n' -> literal("null");
            default -> {
                if (b == '-' || (b >= '0' && b <= '9')) {
                    number();
                } else {
                    throw error("unexpected character '" + printable(b) + "'");
                }
            }
        }
    }

    private void object(int depth) {
        open('{', depth);
        if (closes('}')) {
            return;
        }
        do {
            memberName();
            colon();
            value(depth);
        } while (nextMember('}'));
    }

    private void array(int depth) {
        open('[', depth);
        if (closes(']')) {
            return;
        }
        do {
            value(depth);
        } while (nextMember(']'));
    }

    private void open(char bracket, int depth) {
        if (depth > MAX_DEPTH) {
            throw error("nesting deeper than " + MAX_DEPTH + " levels");
        }
        out[size++] = (byte) bracket;
        pos++;
    }

    /** Consumes the closing bracket of an empty object or array, if that is what follows. */
    private boolean closes(char bracket) {
        skipWhitespace();
        if (pos < in.length && in[pos] == bracket) {
            out[size++] = (byte) bracket;
            pos++;
            return true;
        }
        return false;
    }

    /** After a member or element: true on ',' (another follows), false on the closing bracket. */
    private boolean nextMember(char bracket) {
        skipWhitespace();
        if (pos < in.length) {
            byte b = in[pos];
            if (b == ',' || b == bracket) {
                out[size++] = b;
                pos++;
                return b == ',';
            }
        }
        throw error("expected ',' or '" + bracket + "'");
    }

    private void memberName() {
        skipWhitespace();
        if (pos >= in.length || in[pos] != '"') {
            throw error("expected a member name in double quotes");
        }
        string();
    }

    private void colon() {
        skipWhitespace();
        if (pos >= in.length || in[pos] != ':') {
            throw error("expected ':'");
        }
        out[size++] = ':';
        pos++;
    }

    private void literal(String word) {
        int n = word.length();
        if (pos + n > in.length) {
            throw error("unexpected end of JSON");
        }
        for (int i = 0; i < n; i++) {
            if (in[pos + i] != word.charAt(i)) {
                throw error("invalid literal, expected " + word);
            }
        }
        System.arraycopy(in, pos, out, size, n);
        pos += n;
        size += n;
    }

    private void number() {
        int start = pos;
        if (in[pos] == '-') {
            pos++;
        }
        if (pos < in.length && in[pos] == '0') {
            pos++;
        } else if (digits() == 0) {
            throw error("invalid number");
        }
        if (pos < in.length && in[pos] == '.') {
            pos++;
            if (digits() == 0) {
                throw error("invalid number: digits expected after '.'");
            }
        }
        if (pos < in.length && (in[pos] == 'e' || in[pos] == 'E')) {
            pos++;
            if (pos < in.length && (in[pos] == '+' || in[pos] == '-')) {
                pos++;
            }
            if (digits() == 0) {
                throw error("invalid number: digits expected in exponent");
            }
        }
        System.arraycopy(in, start, out, size, pos - start);
        size += pos - start;
    }

    private int digits() {
        int start = pos;
        while (pos < in.length && in[pos] >= '0' && in[pos] <= '9') {
            pos++;
        }
        return pos - start;
    }

    /** Copies a string token verbatim after checking escapes, control characters and UTF-8. */
    private void string() {
        int start = pos++;
        while (true) {
            if (pos >= in.length) {
                throw error("unterminated string");
            }
            int b = in[pos] & 0xFF;
            if (b == '"') {
                pos++;
                break;
            } else if (b == '\\') {
                escape();
            } else if (b < 0x20) {
                throw error("control character in string (must be escaped)");
            } else if (b < 0x80) {
                pos++;
            } else {
                utf8(b);
            }
        }
        System.arraycopy(in, start, out, size, pos - start);
        size += pos - start;
    }

    private void escape() {
        if (pos + 1 >= in.length) {
            throw error("unterminated string");
        }
        byte e = in[pos + 1];
        switch (e) {
            case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> pos += 2;
            case 'u' -> {
                if (pos + 6 > in.length) {
                    throw error("unterminated \\u escape");
                }
                for (int i = 2; i < 6; i++) {
                    if (Character.digit(in[pos + i], 16) < 0) {
                        throw error("invalid \\u escape");
                    }
                }
                pos += 6;
            }
            default -> throw error("invalid escape '\\" + printable(e) + "'");
        }
    }

    /** Checks one multi-byte UTF-8 sequence (no overlongs, no surrogates, at most U+10FFFF). */
    private void utf8(int lead) {
        int continuation;
        int min = 0x80;
        int max = 0xBF;
        if (lead >= 0xC2 && lead <= 0xDF) {
            continuation = 1;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            continuation = 2;
            if (lead == 0xE0) {
                min = 0xA0;
            } else if (lead == 0xED) {
                max = 0x9F;
            }
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            continuation = 3;
            if (lead == 0xF0) {
                min = 0x90;
            } else if (lead == 0xF4) {
                max = 0x8F;
            }
        } else {
            throw error("invalid UTF-8");
        }
        if (pos + continuation >= in.length) {
            throw error("invalid UTF-8 (truncated sequence)");
        }
        int second = in[pos + 1] & 0xFF;
        if (second < min || second > max) {
            throw error("invalid UTF-8");
        }
        for (int i = 2; i <= continuation; i++) {
            int c = in[pos + i] & 0xFF;
            if (c < 0x80 || c > 0xBF) {
                throw error("invalid UTF-8");
            }
        }
        pos += continuation + 1;
    }

    private void skipWhitespace() {
        while (pos < in.length) {
            byte b = in[pos];
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return;
            }
            pos++;
        }
    }

    private void expectEnd() {
        skipWhitespace();
        if (pos != in.length) {
            throw error("unexpected data after the JSON value");
        }
    }

    private MalformedJson error(String message) {
        return new MalformedJson(message, pos);
    }

    private static String printable(byte b) {
        return b >= 0x20 && b < 0x7F
                ? new String(new byte[] {b}, StandardCharsets.US_ASCII)
                : String.format("0x%02X", b & 0xFF);
    }
}
