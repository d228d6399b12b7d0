package io.microstore.store;

/**
 * A committed app value: its compact JSON bytes, the sequence number of the mutation that wrote it and
 * when it expires ({@code expires}: epoch milliseconds, 0 = never; see {@link Command.Put}). The bytes
 * are never modified after construction.
 */
public record Entry(byte[] data, long seq, long expires) {
    /** A value that never expires. */
    public Entry(byte[] data, long seq) {
        this(data, seq, 0);
    }

    /** The strong entity tag of this version, e.g. {@code "17"} with the quotes. */
    public String etag() {
        return etag(seq);
    }

    /** The strong entity tag of the version written at {@code seq}: the only place it is spelled. */
    public static String etag(long seq) {
        return "\"" + seq + "\"";
    }
}
