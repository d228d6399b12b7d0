package io.microstore.store;

/** An index id defined already with other pointers, or one index more than the store keeps (a 409). */
public final class IndexConflict extends Refusal {
    public IndexConflict(String message) {
        super(message);
    }
}
