package io.microstore.etcd.gateway;

/**
 * One key as etcd holds it: {@code createRevision} and {@code modRevision} are the revisions of the
 * write that created it and of its last change, {@code version} counts its changes since creation,
 * {@code lease} is the lease it is attached to (0 = none). In a delete event only {@code key} and
 * {@code modRevision} (the delete's revision) are set.
 */
public record KeyValue(byte[] key, byte[] value, long createRevision, long modRevision, long version, long lease) {
    public KeyValue(byte[] key, byte[] value, long createRevision, long modRevision, long version) {
        this(key, value, createRevision, modRevision, version, 0);
    }
}
