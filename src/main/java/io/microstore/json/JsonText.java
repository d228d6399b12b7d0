package io.microstore.json;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Encodes and decodes JSON string tokens on raw UTF-8 bytes. */
public final class JsonText {
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private JsonText() {}

    /** The JSON string token for {@code s}, quotes included, as UTF-8. */
    public static byte[] quote(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length() + 2);
        writeQuoted(out, s);
        return out.toByteArray();
    }

    /**
     * Writes the JSON string token for {@code s}: escapes quote, backslash and control characters, and
     * writes an unpaired surrogate, which UTF-8 cannot encode, as a backslash-u escape
     * ({@link String#getBytes} would write {@code ?}, and two strings would share one token).
     */
    public static void writeQuoted(ByteArrayOutputStream out, String s) {
        out.write('"');
        int run = 0; // start of the pending run of chars that UTF-8 can encode
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!Character.isSurrogate(c)) {
                continue;
            }
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++; // a pair: one code point UTF-8 encodes
                continue;
            }
            writeEscaped(out, s.substring(run, i).getBytes(StandardCharsets.UTF_8));
            writeUnicodeEscape(out, c);
            run = i + 1;
        }
        writeEscaped(out, (run == 0 ? s : s.substring(run)).getBytes(StandardCharsets.UTF_8));
        out.write('"');
    }

    /** Writes {@code utf8} escaping quote, backslash and control characters. */
    private static void writeEscaped(ByteArrayOutputStream out, byte[] utf8) {
        int run = 0; // start of the pending run of bytes that need no escape
        for (int i = 0; i < utf8.length; i++) {
            int b = utf8[i] & 0xFF;
            if (b >= 0x20 && b != '"' && b != '\\') {
                continue;
            }
            out.write(utf8, run, i - run);
            run = i + 1;
            out.write('\\');
            switch (b) {
                case '"', '\\' -> out.write(b);
                case '\n' -> out.write('n');
                case '\r' -> out.write('r');
                case '\t' -> out.write('t');
                case '\b' -> out.write('b');
                case '\f' -> out.write('f');
                default -> writeHex(out, b);
            }
        }
        out.write(utf8, run, utf8.length - run);
    }

    private static void writeUnicodeEscape(ByteArrayOutputStream out, char c) {
        out.write('\\');
        writeHex(out, c);
    }

    /** {@code uXXXX}: a backslash-u escape after its backslash. */
    private static void writeHex(ByteArrayOutputStream out, int c) {
        out.write('u');
        out.write(HEX[c >> 12 & 0xF]);
        out.write(HEX[c >> 8 & 0xF]);
        out.write(HEX[c >> 4 & 0xF]);
        out.write(HEX[c & 0xF]);
    }

    /**
     * Decodes a valid JSON string token {@code buf[from, to)} (quotes included) to a Java string.
     * The token must already be validated (see {@link CompactJson}).
     */
    public static String decode(byte[] buf, int from, int to) {
        int start = from + 1;
        int end = to - 1;
        int i = start;
        while (i < end && buf[i] != '\\') {
            i++;
        }
        if (i == end) { // the common case: no escapes
            return new String(buf, start, end - start, StandardCharsets.UTF_8);
        }
        StringBuilder sb = new StringBuilder(end - start);
        int run = start;
        while (i < end) {
            if (buf[i] != '\\') {
                i++;
                continue;
            }
            sb.append(new String(buf, run, i - run, StandardCharsets.UTF_8));
            byte e = buf[i + 1];
            switch (e) {
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' ->
                    sb.append((char) Integer.parseInt(new String(buf, i + 2, 4, StandardCharsets.US_ASCII), 16));
                default -> sb.append((char) e); // '"', '\\', '/'
            }
            i += e == 'u' ? 6 : 2;
            run = i;
        }
        sb.append(new String(buf, run, end - run, StandardCharsets.UTF_8));
        return sb.toString();
    }

    /** True when the string token {@code buf[from, to)} denotes the same string as {@code quoted}. */
    static boolean sameString(byte[] buf, int from, int to, byte[] quoted) {
        if (to - from == quoted.length && java.util.Arrays.equals(buf, from, to, quoted, 0, quoted.length)) {
            return true;
        }
        for (int i = from; i < to; i++) {
            if (buf[i] == '\\') { // an escaped spelling of the same name, e.g. "d\u0061ta"
                return decode(buf, from, to).equals(decode(quoted, 0, quoted.length));
            }
        }
        return false;
    }
}
