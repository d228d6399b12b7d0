package io.microstore.store;

/** A transaction a client sent that is none: empty, longer than {@link Transaction#MAX_COMMANDS}, or an app named twice (400). */
public final class BadTransaction extends Refusal {
    public BadTransaction(String message) {
        super(message);
    }
}
