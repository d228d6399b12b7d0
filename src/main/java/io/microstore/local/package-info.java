/**
 * The local engine: one process, one {@link io.microstore.local.Writer} thread in front of
 * {@code persist} (memory only, or the journal of a data directory), with group commit and the fsync
 * policy ({@link io.microstore.local.FsyncPolicy}).
 */
package io.microstore.local;
