package io.microstore.etcd;

import java.time.Duration;

/**
 * The etcd engine's settings: how long a write waits for this instance's index to apply it
 * (read-your-writes) before 503, how often a conditional write is recomputed when the app moved, and
 * how many revisions of etcd's history {@link EtcdEngine#compact} keeps (at least the feed's window).
 */
public record EtcdConfig(Duration ackTimeout, int casRetries, long keepRevisions, int maxInFlight) {
    public static final EtcdConfig DEFAULTS = new EtcdConfig(Duration.ofSeconds(5), 5, 100_000, 65_536);

    public EtcdConfig withKeepRevisions(long keep) {
        return new EtcdConfig(ackTimeout, casRetries, keep, maxInFlight);
    }
}
