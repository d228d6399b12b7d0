package io.microstore.store;

/**
 * The request's key is valid but no rule of it allows this (a 403). Its message is one fixed sentence: it names no
 * rule and does not depend on whether the app exists, so the answer is the same either way and says nothing a key
 * may not know.
 */
public final class Forbidden extends Refusal {
    public static final String DETAIL = "the key does not allow this";

    public Forbidden() {
        super(DETAIL);
    }
}
