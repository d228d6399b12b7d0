package io.microstore.store;

/** An index definition the store cannot take as written (a 400): a bad id, a bad or repeated pointer. */
public final class BadIndex extends Refusal {
    public BadIndex(String message) {
        super(message);
    }
}
