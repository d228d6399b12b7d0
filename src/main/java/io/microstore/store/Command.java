package io.microstore.store;

/**
 * A write request for the engine, alone or as one of a {@link Transaction}'s. Each carries the
 * precondition checked just before it commits.
 */
public sealed interface Command {
    String name();

    Precondition precondition();

    /**
     * Create or replace {@code name} with {@code data} (compact JSON). {@code expires}: when the value
     * expires, in epoch milliseconds of the engine's clock ({@link Store#expiresIn}), 0 = never; at that
     * time the engine deletes it as a DELETE with {@code If-Match} of this version would (a put without
     * it makes the app permanent again).
     */
    record Put(String name, byte[] data, Precondition precondition, long expires) implements Command {
        /** A put whose value never expires. */
        public Put(String name, byte[] data, Precondition precondition) {
            this(name, data, precondition, 0);
        }
    }

    /** Remove {@code name}; a no-op without a new sequence number when it does not exist. */
    record Delete(String name, Precondition precondition, boolean expiry) implements Command {
        /** A client's delete. */
        public Delete(String name, Precondition precondition) {
            this(name, precondition, false);
        }
    }

    /**
     * Replace {@code name} with what {@code change} computes from its current value; 404 if absent. The
     * store computes it before handing it to the engine ({@code prepared}, see {@link Transaction#prepare}).
     */
    record Patch(String name, Change change, Precondition precondition, Prepared prepared) implements Command {
        /** A patch not computed yet. */
        public Patch(String name, Change change, Precondition precondition) {
            this(name, change, precondition, null);
        }
    }

    /** Only test {@code precondition} on {@code name} (in a transaction: the others commit only if it holds). */
    record Check(String name, Precondition precondition) implements Command {}

    /**
     * The value this command leaves over {@code current} (null when absent): its data, null for a
     * delete, what the patch computed, or the current value for a check. Nothing is computed here: this
     * runs in the engine, which must not spend a request's work.
     *
     * @throws AppNotFound when patching an app that does not exist
     * @throws Stale when a patch was computed over another version than {@code current}
     */
    default byte[] valueAfter(Entry current) {
        return switch (this) {
            case Put put -> put.data();
            case Delete ignored -> null;
            case Patch patch -> {
                if (patch.prepared() == null || !patch.prepared().isFor(current)) {
                    throw new Stale(patch.name());
                }
                yield patch.prepared().result();
            }
            case Check ignored -> current == null ? null : current.data();
        };
    }

    /**
     * When the value this command writes over {@code current} expires (epoch milliseconds, 0 = never):
     * a put's own expiry, a patch keeps the app's (so does a check, which writes nothing); a delete writes
     * no value.
     */
    default long expiresAfter(Entry current) {
        return switch (this) {
            case Put put -> put.expires();
            case Delete ignored -> 0;
            case Patch ignored -> current == null ? 0 : current.expires();
            case Check ignored -> current == null ? 0 : current.expires();
        };
    }

    /**
     * Computes a new value from the current one, on the request's thread; throws to refuse the change.
     * It returns the current value's very array when it changes nothing.
     */
    @FunctionalInterface
    interface Change {
        byte[] apply(String name, Entry current);
    }
}
