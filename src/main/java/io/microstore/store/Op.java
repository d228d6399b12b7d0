package io.microstore.store;

/** The two kinds of committed mutation, with their names in the journal and the changes feed. */
public enum Op {
    PUT("put"),
    DELETE("delete");

    private final String wireName;

    Op(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
