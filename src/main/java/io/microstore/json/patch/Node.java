package io.microstore.json.patch;

/**
 * A JSON value while a patch works on it: {@link Raw} bytes that no operation has touched, or an
 * object or array opened up because an operation reaches into it. Only what a patch touches is ever
 * opened, and untouched values are written back byte for byte.
 */
abstract sealed class Node permits Raw, ObjectNode, ArrayNode {
    /** The JSON types, with true and false apart (RFC 6902's test compares them as values). */
    enum Kind {
        OBJECT,
        ARRAY,
        STRING,
        NUMBER,
        TRUE,
        FALSE,
        NULL
    }

    abstract Kind kind();

    /**
     * Writes the value as compact JSON; {@code depth} is the nesting level this value would open as a
     * container (the document's top level is 1).
     */
    abstract void write(Output out, int depth);

    /** This value as an object or array to change, opening raw bytes; null for a scalar. */
    static Node open(Node node, Work work) {
        if (node instanceof Raw raw) {
            return switch (raw.kind()) {
                case OBJECT -> ObjectNode.of(raw, work);
                case ARRAY -> ArrayNode.of(raw, work);
                default -> null;
            };
        }
        return node;
    }
}
