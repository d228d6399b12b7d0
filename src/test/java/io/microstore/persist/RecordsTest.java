package io.microstore.persist;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

import io.microstore.commit.Change;
import io.microstore.commit.Commit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.microstore.persist.JournalFiles.delete;
import static io.microstore.persist.JournalFiles.encode;
import static io.microstore.persist.JournalFiles.put;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class RecordsTest {
    /** The grammar's line, built independently of {@link Records}: payload, CRC32C of it in lower-case hex, LF. */
    private static String line(String payload) {
        byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        return payload + ",\"crc\":\"" + String.format("%08x", crc.getValue()) + "\"}\n";
    }

    private static Commit decode(byte[] line) throws BadRecord {
        return Records.decode(line, 0, line.length - 1).commit(); // without the LF
    }

    private static Commit expiring(long seq, String name, String json, long expires) {
        return Commit.of(seq, Change.put(name, json.getBytes(StandardCharsets.UTF_8), expires));
    }

    /** A transaction's commit at {@code seq} of the one change each of {@code commits} holds. */
    private static Commit txn(long seq, Commit... commits) {
        return new Commit(
                seq, java.util.Arrays.stream(commits).map(Commit::only).toList());
    }

    @Test
    void recordsAreCompactJsonLinesEndingInTheCrcOfTheirBytes() {
        String putLine = new String(encode(List.of(put(7, "a", "{\"x\":1}"))), StandardCharsets.UTF_8);
        assertEquals(line("{\"seq\":7,\"op\":\"put\",\"name\":\"a\",\"data\":{\"x\":1}"), putLine);

        String deleteLine = new String(encode(List.of(delete(8, "a/b c"))), StandardCharsets.UTF_8);
        assertEquals(line("{\"seq\":8,\"op\":\"delete\",\"name\":\"a/b c\""), deleteLine);
    }

    @Test
    void aPutWithAnExpiryCarriesItAfterItsDataAndOneWithoutHasNoSuchMember() throws BadRecord {
        String line =
                new String(encode(List.of(expiring(9, "lock", "\"me\"", 1_767_225_600_123L))), StandardCharsets.UTF_8);
        assertEquals(
                line("{\"seq\":9,\"op\":\"put\",\"name\":\"lock\",\"data\":\"me\",\"expires\":1767225600123"), line);
        Change decoded = decode(line.getBytes(StandardCharsets.UTF_8)).only();
        assertEquals(1_767_225_600_123L, decoded.expires());
        assertArrayEquals("\"me\"".getBytes(StandardCharsets.UTF_8), decoded.data());
        assertEquals(0, decode(encode(List.of(put(10, "a", "1")))).only().expires());
    }

    @Test
    void anExpirysDeleteSaysSoAndAClientsDeleteAndAnOldRecordDoNot() throws BadRecord {
        String line = new String(encode(List.of(Commit.of(12, Change.expiry("lock")))), StandardCharsets.UTF_8);
        assertEquals(line("{\"seq\":12,\"op\":\"delete\",\"name\":\"lock\",\"expired\":true"), line);
        assertTrue(decode(line.getBytes(StandardCharsets.UTF_8)).only().expired());
        assertFalse(decode(encode(List.of(delete(13, "lock")))).only().expired());
        Commit both = new Commit(14, List.of(Change.expiry("a"), Change.delete("b")));
        Commit decoded = decode(encode(List.of(both)));
        assertTrue(decoded.changes().get(0).expired());
        assertFalse(decoded.changes().get(1).expired());
    }

    /** Values that end like the member, or hold it, are data: only the last member of the line is the expiry. */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "12",
                "0",
                "-3",
                "1.5e7",
                "\",\\\"expires\\\":5\"",
                "{\"expires\":5}",
                "[\"x\",{\"expires\":7}]",
                "{\"a\":1,\"expires\":2}",
                "\"\\\",\\\"expires\\\":1\""
            })
    void anExpiryAfterAnyValueRoundTrips(String value) throws BadRecord {
        for (long expires : new long[] {0, 1, 1_767_225_600_000L, 999_999_999_999_999_999L}) {
            Commit m = expiring(5, "a", value, expires);
            Commit decoded = decode(encode(List.of(m)));
            assertSame(m, decoded);
            assertEquals(expires, decoded.only().expires(), value);
        }
    }

    @Test
    void aRecordWrittenBeforeExpiryExistedLoadsWithoutOne() throws BadRecord {
        byte[] old = line("{\"seq\":3,\"op\":\"put\",\"name\":\"a\",\"data\":{\"x\":1}")
                .getBytes(StandardCharsets.UTF_8);
        Change m = decode(old).only();
        assertEquals(0, m.expires());
        assertArrayEquals("{\"x\":1}".getBytes(StandardCharsets.UTF_8), m.data());
    }

    @Test
    void headerAndFooterFollowTheGrammar() throws BadRecord {
        RecordBuffer out = new RecordBuffer(64);
        Records.encodeHeader(out, 42);
        Records.encodeFooter(out, 3);
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(line("{\"snapshot\":42,\"version\":1") + line("{\"count\":3"), text);

        byte[] bytes = out.toByteArray();
        int headerEnd = text.indexOf('\n');
        assertEquals(42, Records.decodeHeader(bytes, 0, headerEnd));
        assertEquals(3, Records.decodeFooter(bytes, headerEnd + 1, bytes.length - 1));
    }

    @Test
    void aRecordIsNotTakenForAFooter() throws BadRecord {
        byte[] record = encode(List.of(put(1, "count", "{\"count\":1}")));
        assertEquals(-1, Records.decodeFooter(record, 0, record.length - 1));
    }

    @Test
    void unusualNamesAndValuesDecodeToWhatWasEncoded() throws BadRecord {
        List<String> values = new ArrayList<>(JournalFiles.UNUSUAL_VALUES);
        values.add("\"" + "v".repeat(5000) + "\"");
        long seq = 1;
        for (String name : JournalFiles.UNUSUAL_NAMES) {
            for (String value : values) {
                assertSame(put(seq, name, value), decode(encode(List.of(put(seq, name, value)))));
                seq++;
            }
            assertSame(delete(seq, name), decode(encode(List.of(delete(seq, name)))));
            seq++;
        }
    }

    /** The store refuses such names; were one to get here, it must be itself after recovery, not "?". */
    @Test
    void aNameWithAnUnpairedSurrogateIsNotRecoveredAsAnotherName() throws BadRecord {
        for (String name : new String[] {"\uD800", "\uDBFF", "a\uDC00?"}) {
            assertEquals(name, decode(encode(List.of(put(3, name, "1")))).only().name());
            assertEquals(name, decode(encode(List.of(delete(4, name)))).only().name());
        }
    }

    @Test
    void largeSequenceNumbersRoundTrip() throws BadRecord {
        long seq = 999_999_999_999_999_999L; // 18 digits: far more writes than any journal will hold
        assertSame(put(seq, "a", "1"), decode(encode(List.of(put(seq, "a", "1")))));
    }

    /** Not 0x20: it turns a CRC digit a..f into A..F, which spells the same checksum and leaves the record intact. */
    @Test
    void everyFlippedBitOrByteIsRejected() {
        byte[] record = encode(List.of(put(1043, "name/ü", "{\"x\":[1,2,{\"y\":\"z\"}]}")));
        for (int i = 0; i < record.length - 1; i++) {
            for (int mask : new int[] {0x01, 0x04, 0x80, 0xFF}) {
                byte[] damaged = record.clone();
                damaged[i] ^= (byte) mask;
                int at = i;
                assertThrows(BadRecord.class, () -> decode(damaged), () -> "byte " + at + " ^ " + mask + " accepted");
            }
        }
    }

    @Test
    void everyCutShortLineIsRejected() {
        for (Commit m : List.of(
                put(12, "a", "{\"x\":\"yz\"}"), delete(13, "a"), expiring(14, "a", "[1]", 1_767_225_600_000L))) {
            byte[] record = encode(List.of(m));
            for (int length = 0; length < record.length - 1; length++) {
                byte[] prefix = Arrays.copyOf(record, length + 1); // decode() drops the last byte as if it were LF
                int cut = length;
                assertThrows(BadRecord.class, () -> decode(prefix), () -> "accepted the first " + cut + " bytes");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{\"seq\":1,\"op\":\"patch\",\"name\":\"a\",\"data\":1",
                "{\"seq\":1,\"op\":\"put\",\"name\":\"a\"",
                "{\"seq\":1,\"op\":\"put\",\"name\":\"a\",\"data\":",
                "{\"seq\":1,\"op\":\"delete\",\"name\":\"a\",\"data\":1",
                "{\"seq\":x,\"op\":\"put\",\"name\":\"a\",\"data\":1",
                "{\"seq\":-1,\"op\":\"put\",\"name\":\"a\",\"data\":1",
                "{\"op\":\"put\",\"seq\":1,\"name\":\"a\",\"data\":1",
                "{\"seq\":1,\"op\":\"put\",\"name\":a,\"data\":1",
                "{\"seq\":1,\"op\":\"put\",\"name\":\"a,\"data\":1",
                "{\"seq\":1,\"op\":\"delete\",\"name\":\"a\\\"",
                "{\"seq\":1,\"op\":\"delete\",\"name\":\"\\u00zz\"",
                "{\"seq\":1,\"op\":\"delete\",\"name\":\"\\u0\"",
                "{\"seq\":1,\"op\":\"delete\",\"name\":\"a\"}",
                "{\"seq\":1,\"op\":\"put\",\"name\":\"a\",\"expires\":5",
                "{\"seq\":1,\"op\":\"put\",\"name\":\"a\",\"data\":,\"expires\":5",
                "{\"seq\":1,\"op\":\"put\",\"name\":\"a\",\"data\":1,\"expires\":1234567890123456789",
                "{\"seq\":1,\"op\":\"delete\",\"name\":\"a\",\"expires\":5",
                "{\"snapshot\":1,\"version\":1",
                ""
            })
    void aLineOutsideTheGrammarIsABadRecordEvenWithAValidCrc(String payload) {
        byte[] bytes = line(payload).getBytes(StandardCharsets.UTF_8);
        try {
            Commit m = decode(bytes);
            fail("decoded " + m + " from " + payload);
        } catch (BadRecord expected) {
            // the documented way to say "not a record"
        } catch (RuntimeException e) {
            fail("decoding " + payload + " threw " + e + " instead of BadRecord", e);
        }
    }

    // --- transaction records ------------------------------------------------------------------

    @Test
    void aTransactionIsOneLineWhoseOpsHoldWhatAPlainRecordOfEachHolds() throws BadRecord {
        Commit txn = txn(7, put(7, "a", "{\"x\":1}"), delete(7, "b"), put(7, "c", "[\"]}\"]"));
        String text = new String(encode(List.of(txn)), StandardCharsets.UTF_8);
        assertEquals(
                line("{\"seq\":7,\"op\":\"txn\",\"ops\":[{\"op\":\"put\",\"name\":\"a\",\"data\":{\"x\":1}},"
                        + "{\"op\":\"delete\",\"name\":\"b\"},{\"op\":\"put\",\"name\":\"c\",\"data\":[\"]}\"]}]"),
                text);
        for (Change change : txn.changes()) { // each op is the members of that change's own record, between braces
            String plain = new String(encode(List.of(Commit.of(7, change))), StandardCharsets.UTF_8);
            String members = plain.substring("{\"seq\":7,".length(), plain.indexOf(",\"crc\":"));
            assertTrue(text.contains("{" + members + "}"), members);
        }
        JournalRecord record = Records.decode(text.getBytes(StandardCharsets.UTF_8), 0, text.length() - 1);
        assertTrue(record.txn());
        assertSame(txn, record.commit());
    }

    @Test
    void aTransactionsPutsCarryTheirExpiryAsPlainRecordsDo() throws BadRecord {
        Commit txn = txn(
                8, expiring(8, "lock", "\"me\"", 1_767_225_600_123L), put(8, "n", "12"), expiring(8, "num", "34", 99));
        String text = new String(encode(List.of(txn)), StandardCharsets.UTF_8);
        assertEquals(
                line("{\"seq\":8,\"op\":\"txn\",\"ops\":[{\"op\":\"put\",\"name\":\"lock\",\"data\":\"me\","
                        + "\"expires\":1767225600123},{\"op\":\"put\",\"name\":\"n\",\"data\":12},"
                        + "{\"op\":\"put\",\"name\":\"num\",\"data\":34,\"expires\":99}]"),
                text);
        JournalRecord record = Records.decode(text.getBytes(StandardCharsets.UTF_8), 0, text.length() - 1);
        assertEquals(
                List.of(1_767_225_600_123L, 0L, 99L),
                record.commit().changes().stream().map(Change::expires).toList());
        assertEquals(
                List.of("\"me\"", "12", "34"),
                record.commit().changes().stream()
                        .map(w -> new String(w.data(), StandardCharsets.UTF_8))
                        .toList());
    }

    @Test
    void unusualNamesAndValuesInATransactionDecodeToWhatWasEncoded() throws BadRecord {
        List<Commit> ops = new ArrayList<>();
        int i = 0;
        for (String name : JournalFiles.UNUSUAL_NAMES) {
            for (String value : JournalFiles.UNUSUAL_VALUES) {
                ops.add(put(42, name + i++, value));
            }
            ops.add(delete(42, name));
        }
        Commit txn = txn(42, ops.toArray(Commit[]::new));
        assertSame(txn, decode(encode(List.of(txn))));
    }

    @Test
    void everyFlippedByteOrCutOfATransactionRecordIsRejected() {
        byte[] record =
                encode(List.of(txn(9, put(9, "a", "{\"x\":[1,{\"y\":\"}\"}]}"), delete(9, "b\"c"), put(9, "d", "2"))));
        for (int i = 0; i < record.length - 1; i++) {
            for (int mask : new int[] {0x01, 0x80, 0xFF}) {
                byte[] damaged = record.clone();
                damaged[i] ^= (byte) mask;
                int at = i;
                assertThrows(BadRecord.class, () -> decode(damaged), () -> "byte " + at + " ^ " + mask + " accepted");
            }
        }
        for (int length = 0; length < record.length - 1; length++) {
            byte[] prefix = Arrays.copyOf(record, length + 1);
            int cut = length;
            assertThrows(BadRecord.class, () -> decode(prefix), () -> "accepted the first " + cut + " bytes");
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{\"seq\":1,\"op\":\"txn\",\"ops\":[]",
                "{\"seq\":1,\"op\":\"txn\",\"ops\":[{\"op\":\"put\",\"name\":\"a\"}]",
                "{\"seq\":1,\"op\":\"txn\",\"ops\":[{\"op\":\"put\",\"name\":\"a\",\"data\":}]",
                "{\"seq\":1,\"op\":\"txn\",\"ops\":[{\"op\":\"put\",\"name\":\"a\",\"data\":{\"x\":1]}]",
                "{\"seq\":1,\"op\":\"txn\",\"ops\":[{\"op\":\"put\",\"name\":\"a\",\"data\":{\"x\":1}",
                "{\"seq\":1,\"op\":\"txn\",\"ops\":[{\"op\":\"delete\",\"name\":\"a\"},]",
                "{\"seq\":1,\"op\":\"txn\",\"ops\":[{\"op\":\"delete\",\"name\":\"a\"}],\"x\":1",
                "{\"seq\":1,\"op\":\"txn\",\"ops\":[{\"op\":\"delete\",\"name\":\"a\",\"data\":1}]",
                "{\"seq\":1,\"op\":\"txn\",\"ops\":[{\"seq\":1,\"op\":\"delete\",\"name\":\"a\"}]",
                "{\"seq\":1,\"op\":\"txn\",\"ops\":[{\"op\":\"txn\",\"ops\":[]}]",
                "{\"seq\":1,\"op\":\"txn\",\"ops\":[{\"op\":\"delete\",\"name\":\"a\"}{\"op\":\"delete\",\"name\":\"b\"}]",
                "{\"seq\":1,\"op\":\"txn\",\"name\":\"a\",\"data\":1"
            })
    void aTransactionLineOutsideTheGrammarIsABadRecordEvenWithAValidCrc(String payload) {
        aLineOutsideTheGrammarIsABadRecordEvenWithAValidCrc(payload);
    }

    @Test
    void aHeaderWithAnotherVersionIsRejected() {
        byte[] bytes = line("{\"snapshot\":5,\"version\":2").getBytes(StandardCharsets.UTF_8);
        assertThrows(BadRecord.class, () -> Records.decodeHeader(bytes, 0, bytes.length - 1));
    }

    private static void assertSame(Commit expected, Commit actual) {
        assertEquals(expected.seq(), actual.seq());
        assertEquals(expected.changes().size(), actual.changes().size());
        for (int i = 0; i < expected.changes().size(); i++) {
            Change want = expected.changes().get(i);
            Change got = actual.changes().get(i);
            assertEquals(want.name(), got.name());
            if (want.isDelete()) {
                assertNull(got.data());
            } else {
                assertArrayEquals(want.data(), got.data(), () -> "data of " + want.name());
                assertEquals(want.expires(), got.expires(), () -> "expiry of " + want.name());
            }
        }
    }
}
