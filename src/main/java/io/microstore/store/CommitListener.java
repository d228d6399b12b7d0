package io.microstore.store;

import java.util.List;

/**
 * A consumer of the commit stream: called on the worker with each batch once it is durable and
 * visible in the index, in sequence order. Must return quickly and never block.
 */
@FunctionalInterface
public interface CommitListener {
    void committed(List<Mutation> batch);

    /** While the store loads: one mutation replayed from the journal after the snapshot. */
    default void restored(Mutation mutation) {
    }

    /** The store has loaded; {@code lastSeq} is the seq of its last durable change. */
    default void loaded(long lastSeq) {
    }
}
