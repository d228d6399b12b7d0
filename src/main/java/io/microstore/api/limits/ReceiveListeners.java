package io.microstore.api.limits;

import java.util.List;

import io.helidon.common.buffers.BufferData;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1ConnectionListener;

/**
 * Several HTTP/1 receive listeners registered as one. Helidon 4.5.0 joins two or more listeners into one
 * that passes nothing on (Http1ConnectionListenerUtil.ListFrameListener overrides none of the methods),
 * so none of them would ever be called.
 */
public final class ReceiveListeners implements Http1ConnectionListener {
    private final List<Http1ConnectionListener> listeners;

    public ReceiveListeners(Http1ConnectionListener... listeners) {
        this.listeners = List.of(listeners);
    }

    @Override
    public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
        listeners.forEach(l -> l.prologue(ctx, prologue));
    }

    @Override
    public void headers(ConnectionContext ctx, Headers headers) {
        listeners.forEach(l -> l.headers(ctx, headers));
    }

    @Override
    public void data(ConnectionContext ctx, BufferData data) {
        listeners.forEach(l -> l.data(ctx, data));
    }

    @Override
    public void data(ConnectionContext ctx, byte[] data, int position, int length) {
        listeners.forEach(l -> l.data(ctx, data, position, length));
    }
}
