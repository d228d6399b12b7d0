package io.microstore.store;

import java.util.Arrays;

import io.microstore.commit.Change;

/**
 * The names of what a write does, where they are spelled on the wire: the operations of a transaction
 * ({@code put}, {@code delete}, {@code patch}, {@code check}) and the two kinds of change the changes feed
 * shows ({@code put}, {@code delete}).
 */
public enum Op {
    PUT("put"),
    DELETE("delete"),
    PATCH("patch"),
    CHECK("check");

    private final String wireName;

    Op(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** The op named {@code wireName}, or null. */
    public static Op named(String wireName) {
        return Arrays.stream(values())
                .filter(op -> op.wireName.equals(wireName))
                .findFirst()
                .orElse(null);
    }

    /** What a command is. */
    public static Op of(Command command) {
        return switch (command) {
            case Command.Put ignored -> PUT;
            case Command.Delete ignored -> DELETE;
            case Command.Patch ignored -> PATCH;
            case Command.Check ignored -> CHECK;
        };
    }

    /** What a committed change is: a put or a delete. */
    public static Op of(Change change) {
        return change.isDelete() ? DELETE : PUT;
    }
}
