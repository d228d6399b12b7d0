package io.microstore.persist;

import java.io.IOException;

/**
 * What a compaction writes into a snapshot: every app with the seq of its last change. The journal
 * calls it on a thread of its own while writes go on, so the view may be fuzzy: it may hold changes
 * after the snapshot's seq, which replaying the journal from there sets right (see package-info).
 */
@FunctionalInterface
public interface SnapshotSource {
    /** Hands every app to {@code app}, in name order. */
    void forEachApp(App app) throws IOException;

    /** Receives one app: its name, value, the seq of its last change and its expiry (epoch millis, 0 = never). */
    @FunctionalInterface
    interface App {
        void accept(String name, byte[] data, long seq, long expires) throws IOException;
    }
}
