package io.microstore.store.query;

/**
 * A selector or order that cannot be read (400). Stand-in until the selector library lands: it cannot join
 * the sealed {@code store.Refusal} from this package (a sealed class outside a named module permits only its
 * own package), so the problem mapper has its own arm for it.
 */
public final class BadQuery extends RuntimeException {
    public BadQuery(String message) {
        super(message);
    }
}
