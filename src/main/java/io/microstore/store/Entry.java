package io.microstore.store;

/**
 * A committed app value: its compact JSON bytes and the sequence number of the mutation that wrote it.
 * The bytes are never modified after construction.
 */
public record Entry(byte[] data, long seq) {
    /** The strong entity tag of this version, e.g. {@code "17"} with the quotes. */
    public String etag() {
        return "\"" + seq + "\"";
    }
}
