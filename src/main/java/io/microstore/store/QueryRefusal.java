package io.microstore.store;

/**
 * A query the store cannot run as written (a 400). The selector lives in its own package, and a sealed
 * class may only permit classes of its own package, so this door stays open (non-sealed) for
 * {@code store.query.BadQuery}; the problem mapper still answers every one of them with one arm.
 */
public abstract non-sealed class QueryRefusal extends Refusal {
    protected QueryRefusal(String message) {
        super(message);
    }
}
