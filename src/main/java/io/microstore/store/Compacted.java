package io.microstore.store;

import java.time.Duration;

/** What one compaction did: the seq it covers, how many apps and bytes it kept, and how long it took. */
public record Compacted(long seq, long apps, long bytes, Duration took) {
}
