package io.microstore.store;

/** No key has this id (a 404; only admin keys reach the routes that say so). */
public final class KeyNotFound extends Refusal {
    public KeyNotFound(String id) {
        super("no key '" + id + "'");
    }
}
