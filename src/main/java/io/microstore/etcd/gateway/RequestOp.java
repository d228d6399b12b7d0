package io.microstore.etcd.gateway;

/** One operation of a transaction branch: etcd's {@code RequestOp} (a put, a delete or a read of one key). */
public sealed interface RequestOp {
    /**
     * Sets {@code key} to {@code value}, attached to {@code lease} (0: to none, which detaches the key from
     * a lease it had), or with {@code ignoreLease} keeping whatever lease the key has; {@code prevKv} asks
     * for the key's previous state (its lease) in the response.
     */
    record Put(byte[] key, byte[] value, long lease, boolean ignoreLease, boolean prevKv) implements RequestOp {
        public Put(byte[] key, byte[] value) {
            this(key, value, 0, false, false);
        }
    }

    /** Deletes {@code key} (no revision is used when it does not exist); {@code prevKv}: as for a put. */
    record Delete(byte[] key, boolean prevKv) implements RequestOp {
        public Delete(byte[] key) {
            this(key, false);
        }
    }

    /** Reads {@code key}, e.g. its current mod revision in a failure branch. */
    record Get(byte[] key) implements RequestOp {}

    static RequestOp put(byte[] key, byte[] value) {
        return new Put(key, value);
    }

    static RequestOp delete(byte[] key) {
        return new Delete(key);
    }

    static RequestOp get(byte[] key) {
        return new Get(key);
    }
}
