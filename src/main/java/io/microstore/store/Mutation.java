package io.microstore.store;

/**
 * One element of the commit stream: a mutation with its global sequence number. {@code data} is the
 * compact JSON of the new value for {@link Op#PUT} and null for {@link Op#DELETE}; {@code expires} is
 * when a put's value expires (epoch milliseconds, 0 = never; always 0 for a delete).
 */
public record Mutation(long seq, Op op, String name, byte[] data, long expires) {
    /** A mutation whose value never expires. */
    public Mutation(long seq, Op op, String name, byte[] data) {
        this(seq, op, name, data, 0);
    }

    public static Mutation put(long seq, String name, byte[] data) {
        return new Mutation(seq, Op.PUT, name, data, 0);
    }

    /** A put whose value expires at {@code expires} (epoch milliseconds; 0 = never). */
    public static Mutation put(long seq, String name, byte[] data, long expires) {
        return new Mutation(seq, Op.PUT, name, data, expires);
    }

    public static Mutation delete(long seq, String name) {
        return new Mutation(seq, Op.DELETE, name, null, 0);
    }
}
