package io.microstore.persist;

/**
 * One decoded line of a journal or snapshot: the seq, the app's name, its compact JSON (null for a
 * delete) and when a put's value expires (epoch milliseconds, 0 = never).
 */
record JournalRecord(long seq, String name, byte[] data, long expires) {
    JournalRecord(long seq, String name, byte[] data) {
        this(seq, name, data, 0);
    }
}
