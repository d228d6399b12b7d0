package io.microstore.store;

/** An app name outside the rules of {@link Names}. */
public final class InvalidName extends Refusal {
    public InvalidName(String message) {
        super(message);
    }
}
