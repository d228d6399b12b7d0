package io.microstore.store.feed;

import java.time.Duration;

/**
 * Settings of the changes feed: how many recent changes (and how many bytes of their values) it keeps
 * for clients to resume from, how many clients may wait on it at once, and the SSE keep-alive period.
 */
public record FeedConfig(int retain, long retainBytes, int maxSubscribers, Duration keepAlive) {
    public FeedConfig {
        if (retain < 1 || retainBytes < 1 || maxSubscribers < 1) {
            throw new IllegalArgumentException(
                    "store.changes.retain, retain-bytes and max-subscribers must be positive");
        }
        if (keepAlive.isNegative() || keepAlive.isZero()) {
            throw new IllegalArgumentException("store.changes.keep-alive must be positive, not " + keepAlive);
        }
    }
}
