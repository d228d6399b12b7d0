package io.microstore.persist;

import java.time.Duration;

/** What one compaction wrote: the snapshot's seq, how many apps and bytes, and how long it took. */
public record Compaction(long seq, long apps, long bytes, Duration took) {
}
