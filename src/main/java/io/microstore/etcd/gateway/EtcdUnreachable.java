package io.microstore.etcd.gateway;

import java.net.URI;

/** No connection to the member could be made (refused, or the connect timed out): nothing was sent. */
public final class EtcdUnreachable extends EtcdException {
    public EtcdUnreachable(URI endpoint, String message, Throwable cause) {
        super(endpoint, -1, message, cause);
    }

    @Override
    public boolean certainlyNotApplied() {
        return true;
    }
}
