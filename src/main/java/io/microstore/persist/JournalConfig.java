package io.microstore.persist;

import java.nio.file.Path;

/**
 * Settings of the journal: its directory, the journal size that triggers a compaction (it also waits
 * until the journal is as large as the last snapshot, so compaction work stays proportional to
 * writes), and the file-operation seam.
 */
public record JournalConfig(Path dir, long minJournalBytes, FileOps ops) {
    public JournalConfig {
        if (minJournalBytes < 1) {
            throw new IllegalArgumentException(
                    "store.compaction.min-journal-bytes must be positive, not " + minJournalBytes);
        }
    }
}
