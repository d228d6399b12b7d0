package io.microstore.etcd;

/** The answer to one {@link Op} of the branch a transaction ran, in the same position. */
public sealed interface OpResponse {
    /** A put, at {@code revision}; {@code prevLease}: the lease the key had before (with prevKv; 0 = none). */
    record Put(long revision, long prevLease) implements OpResponse {
        public Put(long revision) {
            this(revision, 0);
        }
    }

    /** A delete that removed {@code deleted} keys (0 or 1 here); {@code prevLease} as for a put. */
    record Delete(long deleted, long prevLease) implements OpResponse {
        public Delete(long deleted) {
            this(deleted, 0);
        }
    }

    /** A read. */
    record Get(RangeResult result) implements OpResponse {
    }
}
