package io.microstore.persist;

import java.util.List;

/**
 * One decoded record of a journal or snapshot: its seq and its changes, one for a put or delete, all of
 * a transaction's for a transaction record ({@code txn}), each a name, compact JSON (null: a delete) and
 * when a put's value expires (epoch milliseconds, 0 = never).
 */
record JournalRecord(long seq, List<Persistence.Write> writes, boolean txn) {
    /** A plain record of one put or (with {@code data} null) delete. */
    JournalRecord(long seq, String name, byte[] data) {
        this(seq, name, data, 0);
    }

    /** A plain record of a put expiring at {@code expires} (0 = never), or a delete. */
    JournalRecord(long seq, String name, byte[] data, long expires) {
        this(seq, List.of(new Persistence.Write(name, data, expires)), false);
    }

    /** The name of a plain record's app. */
    String name() {
        return writes.getFirst().name();
    }

    /** The value of a plain record: compact JSON, or null for a delete. */
    byte[] data() {
        return writes.getFirst().data();
    }

    /** When a plain record's value expires (epoch milliseconds, 0 = never). */
    long expires() {
        return writes.getFirst().expires();
    }
}
