package io.microstore.local;

import java.time.Duration;

/** Settings of the local engine: how many writes may wait to be decided or synced, and when they are synced. */
public record LocalConfig(int queueCapacity, FsyncPolicy fsync, Duration fsyncInterval) {
    public LocalConfig {
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("store.queue-capacity must be at least 1, not " + queueCapacity);
        }
        if (fsyncInterval.isNegative() || fsyncInterval.isZero()) {
            throw new IllegalArgumentException("store.fsync-interval must be positive, not " + fsyncInterval);
        }
    }
}
