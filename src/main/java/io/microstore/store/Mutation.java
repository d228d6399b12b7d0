package io.microstore.store;

/**
 * One element of the commit stream: a mutation with its global sequence number. {@code data} is the
 * compact JSON of the new value for {@link Op#PUT} and null for {@link Op#DELETE}.
 */
public record Mutation(long seq, Op op, String name, byte[] data) {
    public static Mutation put(long seq, String name, byte[] data) {
        return new Mutation(seq, Op.PUT, name, data);
    }

    public static Mutation delete(long seq, String name) {
        return new Mutation(seq, Op.DELETE, name, null);
    }
}
