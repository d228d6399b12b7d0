package io.microstore.persist;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

import io.microstore.commit.Change;
import io.microstore.commit.Commit;
import io.microstore.json.JsonText;

/**
 * Encodes and decodes the lines of journal and snapshot files: records, snapshot header and footer,
 * each ending in its CRC32C. The grammar and an example are in {@code package-info.java}.
 */
final class Records {
    /** Length of {@code ,"crc":"xxxxxxxx"}} — the fixed tail of every line, without LF. */
    static final int CRC_TAIL = 18;

    static final int VERSION = 1;

    private static final byte[] SEQ = ascii("{\"seq\":");
    private static final byte[] PUT = ascii("\"op\":\"put\",\"name\":");
    private static final byte[] DELETE = ascii("\"op\":\"delete\",\"name\":");
    private static final byte[] DATA = ascii(",\"data\":");
    private static final byte[] EXPIRES = ascii(",\"expires\":");
    /** After a delete's name when the engine deleted the app at its deadline (older journals never have it). */
    private static final byte[] EXPIRED = ascii(",\"expired\":true");

    private static final byte[] TXN = ascii("\"op\":\"txn\",\"ops\":[");
    private static final byte[] CRC = ascii(",\"crc\":\"");
    private static final byte[] HEADER = ascii("{\"snapshot\":");
    private static final byte[] HEADER_VERSION = ascii(",\"version\":" + VERSION);
    private static final byte[] FOOTER = ascii("{\"count\":");
    private static final byte[] HEX = ascii("0123456789abcdef");
    private static final byte[] COMMA = ascii(",");
    private static final byte[] OPEN = ascii("{");
    private static final byte[] CLOSE = ascii("}");
    private static final byte[] CLOSE_OPS = ascii("]");

    private Records() {}

    /**
     * Appends the record of {@code commit}: a plain record for a commit of one change, else a transaction
     * record, every change in one line with one CRC, so recovery takes all of them or, from a torn or
     * damaged line, none. Each change is written with the same members ({@link #encodeChange}).
     */
    static void encode(RecordBuffer out, Commit commit) {
        if (commit.changes().size() == 1) {
            encode(out, commit.seq(), commit.only());
        } else {
            int start = out.size();
            out.writeBytes(SEQ);
            out.writeAscii(Long.toString(commit.seq()));
            out.write(',');
            out.writeBytes(TXN);
            for (int i = 0; i < commit.changes().size(); i++) {
                if (i > 0) {
                    out.write(',');
                }
                out.write('{');
                encodeChange(out, commit.changes().get(i));
                out.write('}');
            }
            out.write(']');
            endLine(out, start);
        }
    }

    /** Appends the plain record of {@code change} at {@code seq}: a snapshot's line, or a commit of one change. */
    static void encode(RecordBuffer out, long seq, Change change) {
        int start = out.size();
        out.writeBytes(SEQ);
        out.writeAscii(Long.toString(seq));
        out.write(',');
        encodeChange(out, change);
        endLine(out, start);
    }

    /**
     * The members of one change, the same in a plain record and in a transaction's {@code ops}:
     * {@code "op":"put","name":..,"data":..[,"expires":..]} or {@code "op":"delete","name":..[,"expired":true]}.
     */
    private static void encodeChange(RecordBuffer out, Change change) {
        out.writeBytes(change.isDelete() ? DELETE : PUT);
        JsonText.writeQuoted(out, change.name());
        if (change.expired()) {
            out.writeBytes(EXPIRED);
        }
        if (!change.isDelete()) {
            out.writeBytes(DATA);
            out.writeBytes(change.data());
            if (change.expires() > 0) {
                out.writeBytes(EXPIRES);
                out.writeAscii(Long.toString(change.expires()));
            }
        }
    }

    static void encodeHeader(RecordBuffer out, long snapshotSeq) {
        int start = out.size();
        out.writeBytes(HEADER);
        out.writeAscii(Long.toString(snapshotSeq));
        out.writeBytes(HEADER_VERSION);
        endLine(out, start);
    }

    static void encodeFooter(RecordBuffer out, long count) {
        int start = out.size();
        out.writeBytes(FOOTER);
        out.writeAscii(Long.toString(count));
        endLine(out, start);
    }

    /** Decodes the record {@code line[from, to)} (without its LF). */
    static JournalRecord decode(byte[] line, int from, int to) throws BadRecord {
        int end = payloadEnd(line, from, to);
        Cursor c = new Cursor(line, from, end);
        c.expect(SEQ);
        long seq = c.number();
        c.expect(COMMA);
        if (c.startsWith(TXN)) {
            c.pos += TXN.length;
            List<Change> changes = new ArrayList<>();
            do {
                c.expect(OPEN);
                changes.add(decodeChange(c, true));
                c.expect(CLOSE);
            } while (c.skip(COMMA));
            c.expect(CLOSE_OPS);
            c.expectEnd();
            return new JournalRecord(new Commit(seq, changes), true);
        }
        Change change = decodeChange(c, false);
        c.expectEnd();
        return new JournalRecord(Commit.of(seq, change), false);
    }

    /**
     * The members of one change ({@link #encodeChange}) at the cursor: in a plain record a put's data runs
     * to the end of the checked bytes or its {@code expires}; in a transaction ({@code inTxn}) it is one JSON
     * value.
     */
    private static Change decodeChange(Cursor c, boolean inTxn) throws BadRecord {
        boolean put;
        if (c.startsWith(PUT)) {
            put = true;
            c.pos += PUT.length;
        } else {
            c.expect(DELETE);
            put = false;
        }
        int nameStart = c.pos;
        c.skipString();
        String name;
        try {
            name = JsonText.decode(c.line, nameStart, c.pos);
        } catch (RuntimeException e) { // a bad escape: only a hand edit with a recomputed CRC gets here
            throw new BadRecord("bad name: " + e.getMessage());
        }
        if (!put) {
            return c.skip(EXPIRED) ? Change.expiry(name) : Change.delete(name);
        }
        c.expect(DATA);
        int dataStart = c.pos;
        int dataEnd;
        if (inTxn) {
            c.skipValue();
            dataEnd = c.pos;
        } else {
            dataEnd = expiresAt(c.line, dataStart, c.end);
            c.pos = dataEnd;
        }
        if (dataEnd == dataStart) {
            throw new BadRecord("put without data");
        }
        long expires = c.skip(EXPIRES) ? c.number() : 0;
        return Change.put(name, Arrays.copyOfRange(c.line, dataStart, dataEnd), expires);
    }

    /**
     * Where the optional {@code ,"expires":<digits>} at the end of a plain put's payload {@code [from, end)}
     * starts, or {@code end} without one. A JSON value cannot end in it (a number holds no quote), so the
     * data before it is unambiguous.
     */
    private static int expiresAt(byte[] line, int from, int end) {
        int digits = end;
        while (digits > from && line[digits - 1] >= '0' && line[digits - 1] <= '9') {
            digits--;
        }
        int at = digits - EXPIRES.length;
        if (digits == end || at < from || !Arrays.equals(line, at, digits, EXPIRES, 0, EXPIRES.length)) {
            return end;
        }
        return at;
    }

    /** True when a record's first bytes, {@code {"seq":}, start at {@code line[at]}. */
    static boolean startsRecord(byte[] line, int at, int to) {
        return to - at > SEQ.length && Arrays.equals(line, at, at + SEQ.length, SEQ, 0, SEQ.length);
    }

    /** The snapshot sequence number of a header line. */
    static long decodeHeader(byte[] line, int from, int to) throws BadRecord {
        Cursor c = new Cursor(line, from, payloadEnd(line, from, to));
        c.expect(HEADER);
        long seq = c.number();
        c.expect(HEADER_VERSION);
        c.expectEnd();
        return seq;
    }

    /** The count of a footer line, or -1 when the line is not a footer at all (it may be a record). */
    static long decodeFooter(byte[] line, int from, int to) throws BadRecord {
        if (to - from < FOOTER.length || !Arrays.equals(line, from, from + FOOTER.length, FOOTER, 0, FOOTER.length)) {
            return -1;
        }
        Cursor c = new Cursor(line, from, payloadEnd(line, from, to));
        c.expect(FOOTER);
        long count = c.number();
        c.expectEnd();
        return count;
    }

    /** Checks the CRC tail of a line and returns where the checked bytes end. */
    private static int payloadEnd(byte[] line, int from, int to) throws BadRecord {
        int end = to - CRC_TAIL;
        if (end <= from
                || !Arrays.equals(line, end, end + CRC.length, CRC, 0, CRC.length)
                || line[to - 2] != '"'
                || line[to - 1] != '}') {
            throw new BadRecord("no CRC at the end of the line");
        }
        int stored = 0;
        for (int i = end + CRC.length; i < to - 2; i++) {
            int digit = Character.digit(line[i], 16);
            if (digit < 0) {
                throw new BadRecord("malformed CRC");
            }
            stored = stored << 4 | digit;
        }
        if (stored != crc(line, from, end)) {
            throw new BadRecord("CRC mismatch");
        }
        return end;
    }

    private static void endLine(RecordBuffer out, int start) {
        int crc = crc(out.array(), start, out.size());
        out.writeBytes(CRC);
        for (int shift = 28; shift >= 0; shift -= 4) {
            out.write(HEX[(crc >>> shift) & 0xF]);
        }
        out.write('"');
        out.write('}');
        out.write('\n');
    }

    private static int crc(byte[] bytes, int from, int to) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, from, to - from);
        return (int) crc.getValue();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** A read position within a line's checked bytes. */
    private static final class Cursor {
        private final byte[] line;
        private final int end;
        private int pos;

        Cursor(byte[] line, int pos, int end) {
            this.line = line;
            this.pos = pos;
            this.end = end;
        }

        /** Consumes {@code token} if it is next; says whether it was. */
        boolean skip(byte[] token) {
            if (!startsWith(token)) {
                return false;
            }
            pos += token.length;
            return true;
        }

        boolean startsWith(byte[] token) {
            return pos + token.length <= end && Arrays.equals(line, pos, pos + token.length, token, 0, token.length);
        }

        void expect(byte[] token) throws BadRecord {
            if (!startsWith(token)) {
                throw new BadRecord("expected " + new String(token, StandardCharsets.US_ASCII) + " at byte " + pos);
            }
            pos += token.length;
        }

        long number() throws BadRecord {
            long value = 0;
            int start = pos;
            while (pos < end && line[pos] >= '0' && line[pos] <= '9' && pos - start < 18) {
                value = value * 10 + (line[pos++] - '0');
            }
            if (pos == start) {
                throw new BadRecord("expected a number at byte " + pos);
            }
            return value;
        }

        void skipString() throws BadRecord {
            if (pos >= end || line[pos] != '"') {
                throw new BadRecord("expected a string at byte " + pos);
            }
            pos++;
            while (pos < end && line[pos] != '"') {
                pos += line[pos] == '\\' ? 2 : 1;
            }
            if (pos >= end) {
                throw new BadRecord("unterminated string");
            }
            pos++;
        }

        /**
         * Skips one compact JSON value (written by this class, so only its extent is found: a string, an
         * object or array with what it nests, its brackets matched, or a literal or number up to the next
         * ',', '}' or ']').
         */
        void skipValue() throws BadRecord {
            StringBuilder open = new StringBuilder(); // the closing bracket each open one needs
            while (pos < end) {
                byte b = line[pos];
                if (b == '"') {
                    skipString();
                    if (open.isEmpty()) {
                        return;
                    }
                    continue;
                }
                if (b == '{' || b == '[') {
                    open.append(b == '{' ? '}' : ']');
                } else if (b == '}' || b == ']' || b == ',') {
                    if (open.isEmpty()) {
                        return; // the end of a literal or number
                    }
                    if (b != ',') {
                        if (open.charAt(open.length() - 1) != b) {
                            throw new BadRecord("unbalanced '" + (char) b + "' at byte " + pos);
                        }
                        open.setLength(open.length() - 1);
                        if (open.isEmpty()) {
                            pos++;
                            return;
                        }
                    }
                }
                pos++;
            }
            if (!open.isEmpty()) {
                throw new BadRecord("unterminated value");
            }
        }

        void expectEnd() throws BadRecord {
            if (pos != end) {
                throw new BadRecord("unexpected bytes at byte " + pos);
            }
        }
    }
}
