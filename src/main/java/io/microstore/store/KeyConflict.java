package io.microstore.store;

/** A key id that is taken, or a key from the config file, which the API cannot delete (a 409). */
public final class KeyConflict extends Refusal {
    public KeyConflict(String message) {
        super(message);
    }
}
