/**
 * The local engine: one process, one {@link io.microstore.local.Writer} in front of {@code persist} (memory
 * only, or the journal of a data directory): writes decided one at a time on their callers' threads, group
 * commit on the syncer's, and the fsync policy ({@link io.microstore.local.FsyncPolicy}).
 */
package io.microstore.local;
