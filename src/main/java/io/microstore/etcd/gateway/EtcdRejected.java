package io.microstore.etcd.gateway;

import java.net.URI;

/**
 * etcd answered with an error that means the request was not applied, with its gRPC status code:
 * 3 invalid argument (also "request is too large"), 11 out of range ("required revision has been
 * compacted"), 14 unavailable ("no leader"), 8 resource exhausted ("too many requests", "no space")...
 * Errors that leave a write's outcome open ("request timed out") are {@link EtcdOutcomeUnknown} instead.
 */
public final class EtcdRejected extends EtcdException {
    public static final int INVALID_ARGUMENT = 3;
    public static final int OUT_OF_RANGE = 11;
    public static final int UNAVAILABLE = 14;

    private final String etcdMessage;
    private final int httpStatus;

    public EtcdRejected(URI endpoint, int code, String etcdMessage, int httpStatus) {
        super(endpoint, code, "etcd error " + code + " (HTTP " + httpStatus + "): " + etcdMessage, null);
        this.etcdMessage = etcdMessage;
        this.httpStatus = httpStatus;
    }

    /** etcd's own message, e.g. "etcdserver: no leader". */
    public String etcdMessage() {
        return etcdMessage;
    }

    public int httpStatus() {
        return httpStatus;
    }

    /** The member has no leader (lost its quorum, or an election is under way): another member may. */
    public boolean noLeader() {
        return code() == UNAVAILABLE;
    }

    /** The revision asked for is older than etcd's compacted history. */
    public boolean compacted() {
        return code() == OUT_OF_RANGE;
    }

    @Override
    public boolean certainlyNotApplied() {
        return true;
    }
}
