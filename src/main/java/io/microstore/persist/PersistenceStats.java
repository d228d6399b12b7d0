package io.microstore.persist;

/** Sizes on disk and compactions so far, for metrics; all zero in memory. */
public record PersistenceStats(long journalBytes, long snapshotBytes, long compactions) {
    public static final PersistenceStats NONE = new PersistenceStats(0, 0, 0);
}
