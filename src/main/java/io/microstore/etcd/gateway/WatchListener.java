package io.microstore.etcd.gateway;

import java.util.List;

/**
 * Receives a watch's stream, on the watch's own thread, in order. Exactly one of {@link #onCompacted}
 * and {@link #onClosed} ends every watch; afterwards nothing more arrives.
 */
public interface WatchListener {
    /** The watch is registered; {@code revision} is the store revision when it was. */
    default void onCreated(long revision) {}

    /**
     * Events in revision order, each revision's all in one call (a transaction's changes arrive together);
     * {@code revision} is the store revision of the response that held them.
     */
    void onEvents(long revision, List<WatchEvent> events);

    /** The start revision is older than etcd's history: re-read at a current revision, then watch from it. */
    void onCompacted(long compactRevision);

    /**
     * The stream ended: {@code cause} is null when the caller closed it, otherwise the failure (a broken
     * connection, "no leader", the stream's end). Reconnect from the last revision applied.
     */
    void onClosed(EtcdException cause);
}
