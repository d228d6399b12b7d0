package io.microstore.store;

/** A key definition, id or rule that is not valid (a 400). */
public final class BadKey extends Refusal {
    public BadKey(String message) {
        super(message);
    }
}
