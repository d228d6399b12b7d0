package io.microstore.store;

/** The engine refused a write because the value is larger than it can store (etcd's request limit). */
public final class ValueTooLarge extends Refusal {
    public ValueTooLarge(String message, Throwable cause) {
        super(message, cause);
    }
}
