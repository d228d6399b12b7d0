package io.microstore.store.query;

/** One test of a selector on a value of stored compact JSON, {@code buf[from, to)}; {@code from < 0}: missing. */
@FunctionalInterface
interface Condition {
    boolean test(byte[] buf, int from, int to);
}
