package io.microstore.persist;

/** One decoded line of a journal or snapshot: the seq, the app's name, and its compact JSON (null for a delete). */
record JournalRecord(long seq, String name, byte[] data) {
}
