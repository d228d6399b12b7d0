package io.microstore.etcd.gateway;

import java.net.URI;

/**
 * A failed etcd call, classified by what it means for a write: {@link EtcdUnreachable} and
 * {@link EtcdRejected} were certainly not applied; after {@link EtcdOutcomeUnknown} the write may or may
 * not have been committed, and only reading the key back can tell.
 */
public abstract sealed class EtcdException extends Exception permits EtcdUnreachable, EtcdRejected, EtcdOutcomeUnknown {
    private final URI endpoint;
    private final int code;

    EtcdException(URI endpoint, int code, String message, Throwable cause) {
        super(endpoint + ": " + message, cause);
        this.endpoint = endpoint;
        this.code = code;
    }

    /** The gRPC status code etcd answered with, -1 when etcd sent none (connection failures, timeouts). */
    public int code() {
        return code;
    }

    /** The member that was asked. */
    public URI endpoint() {
        return endpoint;
    }

    /** True when the request had no effect on the store: it is safe to send it again, anywhere. */
    public abstract boolean certainlyNotApplied();
}
