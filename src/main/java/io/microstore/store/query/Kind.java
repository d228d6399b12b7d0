package io.microstore.store.query;

/** The JSON types, declared in the total order of sorting: null < false < true < numbers < strings < arrays < objects. */
enum Kind {
    NULL,
    FALSE,
    TRUE,
    NUMBER,
    STRING,
    ARRAY,
    OBJECT;

    /** The name {@code $type} uses: booleans are one type there. */
    String typeName() {
        return switch (this) {
            case FALSE, TRUE -> "boolean";
            default -> name().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
