package io.microstore.etcd;

import java.time.Duration;

/**
 * The etcd engine's settings: how long a write waits for this instance's index to apply it
 * (read-your-writes) before 503, how often a conditional write is recomputed when the app moved, how
 * many revisions of etcd's history compaction keeps and a starting instance replays (the feed's window:
 * {@code store.changes.retain}), how many writes may be with etcd at once (more queue), and how often etcd's history is
 * compacted (zero: only when asked).
 */
public record EtcdConfig(
        Duration ackTimeout, int casRetries, long keepRevisions, int maxInFlight, Duration compactEvery) {
    public static final EtcdConfig DEFAULTS =
            new EtcdConfig(Duration.ofSeconds(5), 5, 100_000, 256, Duration.ofMinutes(1));

    public EtcdConfig withKeepRevisions(long keep) {
        return new EtcdConfig(ackTimeout, casRetries, keep, maxInFlight, compactEvery);
    }

    public EtcdConfig withMaxInFlight(int max) {
        return new EtcdConfig(ackTimeout, casRetries, keepRevisions, max, compactEvery);
    }

    public EtcdConfig withCompactEvery(Duration period) {
        return new EtcdConfig(ackTimeout, casRetries, keepRevisions, maxInFlight, period);
    }
}
