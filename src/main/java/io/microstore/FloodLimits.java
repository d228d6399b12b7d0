package io.microstore;

import java.time.Duration;

/**
 * The limits that keep a flood of clients from taking the server down, besides the ones Helidon reads
 * itself from the {@code server} section (max-tcp-connections, max-concurrent-requests,
 * idle-connection-timeout): {@code server.max-in-flight-bytes}, {@code server.max-discard-size},
 * {@code server.header-timeout} and {@code server.body-timeout}.
 */
record FloodLimits(long maxInFlightBytes, long maxDiscard, Duration headerTimeout, Duration bodyTimeout) {
    /** Request bodies may hold a quarter of the heap (each charged several times its size). */
    static long defaultInFlightBytes() {
        return Runtime.getRuntime().maxMemory() / 4;
    }
}
