package io.microstore.store;

import java.time.Duration;

/** The store's settings (and its changes feed's), read once from the {@code store} config section. */
public record StoreConfig(int queueCapacity, FsyncPolicy fsync, Duration fsyncInterval, FeedConfig feed) {
    public static final StoreConfig DEFAULTS = new StoreConfig(65536, FsyncPolicy.ALWAYS, Duration.ofMillis(100));

    public StoreConfig(int queueCapacity, FsyncPolicy fsync, Duration fsyncInterval) {
        this(queueCapacity, fsync, fsyncInterval, FeedConfig.DEFAULTS);
    }

    public StoreConfig {
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("store.queue-capacity must be at least 1, not " + queueCapacity);
        }
        if (fsyncInterval.isNegative() || fsyncInterval.isZero()) {
            throw new IllegalArgumentException("store.fsync-interval must be positive, not " + fsyncInterval);
        }
    }
}
