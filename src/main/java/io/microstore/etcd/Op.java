package io.microstore.etcd;

/** One operation of a transaction branch. */
public sealed interface Op {
    /** Sets {@code key} to {@code value}. */
    record Put(byte[] key, byte[] value) implements Op {
    }

    /** Deletes {@code key} (no revision is used when it does not exist). */
    record Delete(byte[] key) implements Op {
    }

    /** Reads {@code key}, e.g. its current mod revision in a failure branch. */
    record Get(byte[] key) implements Op {
    }

    static Op put(byte[] key, byte[] value) {
        return new Put(key, value);
    }

    static Op delete(byte[] key) {
        return new Delete(key);
    }

    static Op get(byte[] key) {
        return new Get(key);
    }
}
