package io.microstore.etcd.gateway;

/** One change seen by a watch; its revision is {@code kv().modRevision()}. */
public record WatchEvent(Type type, KeyValue kv) {
    /** Put (create or replace) or delete. */
    public enum Type {
        PUT,
        DELETE
    }

    public long revision() {
        return kv.modRevision();
    }
}
