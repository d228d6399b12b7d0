package io.microstore.etcd;

/** The answer to one {@link Op} of the branch a transaction ran, in the same position. */
public sealed interface OpResponse {
    /** A put, at {@code revision}. */
    record Put(long revision) implements OpResponse {
    }

    /** A delete that removed {@code deleted} keys (0 or 1 here). */
    record Delete(long deleted) implements OpResponse {
    }

    /** A read. */
    record Get(RangeResult result) implements OpResponse {
    }
}
