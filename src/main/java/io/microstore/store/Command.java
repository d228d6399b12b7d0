package io.microstore.store;

/** A write request for the engine. Each carries the precondition checked just before it commits. */
public sealed interface Command {
    String name();

    Precondition precondition();

    /** Create or replace {@code name} with {@code data} (compact JSON). */
    record Put(String name, byte[] data, Precondition precondition) implements Command {
    }

    /** Remove {@code name}; a no-op without a new sequence number when it does not exist. */
    record Delete(String name, Precondition precondition) implements Command {
    }

    /** Replace {@code name} with what {@code change} computes from its current value; 404 if absent. */
    record Patch(String name, Change change, Precondition precondition) implements Command {
    }

    /** Computes a new value from the current one, in the engine; throws to refuse the change. */
    @FunctionalInterface
    interface Change {
        byte[] apply(String name, Entry current);
    }
}
