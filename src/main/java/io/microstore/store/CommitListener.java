package io.microstore.store;

import java.util.List;

/**
 * A consumer of the commit stream: called on the worker with each batch once it is durable and
 * visible in the index, in sequence order. Must return quickly and never block.
 */
@FunctionalInterface
public interface CommitListener {
    void committed(List<Mutation> batch);
}
