package io.microstore.etcd;

import io.microstore.etcd.gateway.EtcdException;
import io.microstore.etcd.gateway.EtcdRejected;
import io.microstore.store.StoreUnavailable;

/** How the etcd engine words etcd's failures to the store, so a client learns why and whether to retry. */
final class EtcdErrors {
    private EtcdErrors() {}

    /**
     * "request is too large" (code 3, over etcd's --max-request-bytes) or gRPC's own "received message
     * larger than max" (code 8, over that plus gRPC's overhead).
     */
    static boolean tooLarge(EtcdRejected e) {
        String message = String.valueOf(e.etcdMessage());
        return e.code() == EtcdRejected.INVALID_ARGUMENT && message.contains("too large")
                || e.code() == 8 && message.contains("larger than max");
    }

    /** A failure that left nothing written: 503 with a retry hint and the reason. */
    static StoreUnavailable unavailable(EtcdException e) {
        String why = e instanceof EtcdRejected r && r.noLeader()
                ? "etcd has no leader (an election is under way " + "or a majority of its members is down)"
                : e instanceof EtcdRejected ? "etcd refused the request" : "etcd is unreachable";
        return new StoreUnavailable(why + ": " + e.getMessage() + "; nothing was written", e, 1);
    }
}
