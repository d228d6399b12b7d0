package io.microstore.commit;

/**
 * Sizes and counts of where commits are kept, for metrics: writes waiting for the engine, bytes of journal
 * since the last snapshot and of that snapshot, compactions so far; all zero in memory.
 */
public record Stats(int queued, long journalBytes, long snapshotBytes, long compactions) {
    public static final Stats NONE = new Stats(0, 0, 0, 0);

    /** These sizes with {@code queued} writes waiting. */
    public Stats withQueued(int queued) {
        return new Stats(queued, journalBytes, snapshotBytes, compactions);
    }
}
