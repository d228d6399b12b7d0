package io.microstore.etcd.gateway;

import java.net.URI;

/**
 * The request was sent but no verdict came back: the connection broke, the request timed out, or etcd
 * itself gave up waiting ("request timed out", "leader changed"). A write may still be committed later;
 * never resend it blindly.
 */
public final class EtcdOutcomeUnknown extends EtcdException {
    public EtcdOutcomeUnknown(URI endpoint, String message, Throwable cause) {
        super(endpoint, -1, message, cause);
    }

    /** etcd's own verdict that it does not know, e.g. code 14 "etcdserver: request timed out". */
    public EtcdOutcomeUnknown(URI endpoint, int code, String etcdMessage) {
        super(endpoint, code, "etcd error " + code + ": " + etcdMessage, null);
    }

    @Override
    public boolean certainlyNotApplied() {
        return false;
    }
}
