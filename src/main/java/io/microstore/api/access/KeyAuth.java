package io.microstore.api.access;

import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.UnauthorizedException;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.microstore.api.Authorize;
import io.microstore.api.Caller;
import io.microstore.api.KeyRing;
import io.microstore.api.Problems;
import io.microstore.api.Route;
import io.microstore.store.ApiKey;
import io.microstore.store.Keys;

/**
 * Resolves each {@code /api} request's key into a {@link Caller} before any service runs: {@code Authorization:
 * Bearer <secret>} (found by the secret's SHA-256, see {@link Keys#bySha256}), else a verified client certificate's
 * subject ({@link ClientCertificate}), else anonymous. Under an enforced ring a missing, malformed, unknown or
 * revoked credential is a 401 with one and the same detail, which names no key and no rule; anonymous passes only
 * with {@code security.public-read}. The admin routes (keys, indexes, import, export, compaction) need an admin
 * key: 403 (401 without a key). The caller goes into the request's context for the services ({@link Authorize}), and its key id, a String
 * under {@link #KEY_ID}, for the audit log. {@code /api/schema} and CORS preflights (OPTIONS) always pass: browsers
 * send those without credentials.
 */
public final class KeyAuth implements Filter {
    /** The request context's classifier of the resolved key id (a String; absent: anonymous). */
    public static final String KEY_ID = "microstore.key-id";

    private static final String KEYS_SELF = Route.KEYS.path() + "/" + Keys.SELF;

    private final KeyRing ring;

    public KeyAuth(KeyRing ring) {
        this.ring = ring;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        String path = req.path().absolute().path();
        if (!(path.equals(Route.API) || path.startsWith(Route.API + "/"))
                || path.equals(Route.SCHEMA.path())
                || req.prologue().method() == Method.OPTIONS) {
            chain.proceed();
            return;
        }
        Caller caller = resolve(req);
        if (caller == null) {
            // Answered here, not thrown: filters around this one (metrics, access log, audit) then see the 401.
            Problems.send(req, res, Problems.of(new UnauthorizedException(Authorize.REFUSAL)));
            return;
        }
        if (caller.id() != null) { // before any refusal: the audit log names the key that was refused
            req.context().register(KEY_ID, caller.id());
        }
        if (!caller.admin() && adminRoute(path)) {
            Problems.send(req, res, Problems.of(Authorize.refusal(caller)));
            return;
        }
        req.context().register(caller);
        chain.proceed();
    }

    /** The request's caller, or null for a 401. */
    private Caller resolve(RoutingRequest req) {
        String header = req.headers().first(HeaderNames.AUTHORIZATION).orElse(null);
        if (header != null) {
            ApiKey key = header.regionMatches(true, 0, "Bearer ", 0, 7)
                    ? secret(header.substring(7).trim())
                    : null;
            if (key != null) {
                return caller(key);
            }
            // Without security a header was never looked at: it still is not, whatever it holds.
            return ring.enforced() ? null : Caller.OPEN;
        }
        ApiKey byCertificate =
                ClientCertificate.subject(req).map(ring::bySubject).orElse(null);
        if (byCertificate != null) {
            return caller(byCertificate);
        }
        if (!ring.enforced()) {
            return Caller.OPEN;
        }
        return ring.publicRead() ? Caller.PUBLIC_READ : null;
    }

    private ApiKey secret(String secret) {
        return secret.isEmpty() ? null : ring.bySha256(Keys.sha256(secret));
    }

    private Caller caller(ApiKey key) {
        return new Caller(key.id(), key.admin(), key.rules(), key.scope(), () -> ring.valid(key));
    }

    /** Keys (but a caller's own, {@code /api/keys/self}), indexes, import, export and compaction. */
    static boolean adminRoute(String path) {
        if (path.equals(KEYS_SELF)) {
            return false;
        }
        return under(path, Route.KEYS.path())
                || under(path, Route.INDEXES.path())
                || under(path, Route.IMPORT.path())
                || under(path, Route.EXPORT.path())
                || under(path, Route.COMPACT.mount());
    }

    private static boolean under(String path, String route) {
        return path.equals(route) || path.startsWith(route + "/");
    }
}
