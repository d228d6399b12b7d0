package io.microstore.etcd.gateway;

/** etcd's {@code ResponseOp}: the answer to one {@link RequestOp} of the branch a transaction ran, in its position. */
public sealed interface ResponseOp {
    /** A put, at {@code revision}; {@code prevLease}: the lease the key had before (with prevKv; 0 = none). */
    record Put(long revision, long prevLease) implements ResponseOp {
        public Put(long revision) {
            this(revision, 0);
        }
    }

    /** A delete that removed {@code deleted} keys (0 or 1 here); {@code prevLease} as for a put. */
    record Delete(long deleted, long prevLease) implements ResponseOp {
        public Delete(long deleted) {
            this(deleted, 0);
        }
    }

    /** A read. */
    record Get(RangeResult result) implements ResponseOp {}
}
