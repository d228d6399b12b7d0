package io.microstore.commit;

import java.time.Duration;

/** What one compaction wrote: the seq its snapshot covers, how many apps and bytes, and how long it took. */
public record Compaction(long seq, long apps, long bytes, Duration took) {}
