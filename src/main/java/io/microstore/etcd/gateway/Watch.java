package io.microstore.etcd.gateway;

/** A running watch; {@link #close()} stops its stream (the listener then gets {@code onClosed(null)}). */
public interface Watch extends AutoCloseable {
    @Override
    void close();
}
