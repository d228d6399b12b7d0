package io.microstore.api;

import io.helidon.http.UnauthorizedException;
import io.helidon.webserver.http.ServerRequest;
import io.microstore.store.Forbidden;
import io.microstore.store.Scope;

/**
 * The services' authorization calls, made before the store is touched: the request's {@link Caller} (put in the
 * request's context by {@link KeyAuth}) may read or write a name, or read something under a prefix; else
 * {@link Forbidden}, the same answer whether or not the app exists.
 */
public final class Authorize {
    /**
     * The one detail of every 401: a missing, malformed, unknown or revoked credential all get it, so the answer
     * says nothing about which it was.
     */
    public static final String REFUSAL = "this needs Authorization: Bearer <secret> with the secret of a valid key";

    private Authorize() {}

    /** The request's caller; {@link Caller#OPEN} when no filter resolved one (no security configured). */
    public static Caller caller(ServerRequest req) {
        return req.context().get(Caller.class).orElse(Caller.OPEN);
    }

    public static Scope scope(ServerRequest req) {
        return caller(req).scope();
    }

    /** @throws Forbidden unless the caller may read {@code name} */
    public static void read(ServerRequest req, String name) {
        Caller caller = caller(req);
        if (!caller.scope().mayRead(name)) {
            throw refusal(caller);
        }
    }

    /** @throws Forbidden unless the caller may write {@code name} */
    public static void write(ServerRequest req, String name) {
        Caller caller = caller(req);
        if (!caller.scope().mayWrite(name)) {
            throw refusal(caller);
        }
    }

    /** @throws Forbidden unless the caller may read some name under {@code prefix} (a listing, a query, the feed) */
    public static void readUnder(ServerRequest req, String prefix) {
        Caller caller = caller(req);
        if (!caller.scope().mayReadUnder(prefix)) {
            throw refusal(caller);
        }
    }

    /**
     * What {@code caller} gets for something it may not do: 403 for a key; 401 without one (public read lets it
     * read, and a key may allow the rest).
     */
    public static RuntimeException refusal(Caller caller) {
        return caller.id() == null ? new UnauthorizedException(REFUSAL) : new Forbidden();
    }
}
