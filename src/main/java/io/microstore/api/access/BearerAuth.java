package io.microstore.api.access;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.UnauthorizedException;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.microstore.api.Problems;
import io.microstore.api.Route;

/**
 * Optional bearer-token protection of {@code /api}: when a token is set, every {@code /api} route
 * but {@code /api/schema} needs {@code Authorization: Bearer <token>}, else 401 with
 * {@code WWW-Authenticate: Bearer}. With {@code publicRead}, GET and HEAD pass without it. CORS
 * preflights (OPTIONS) always pass: browsers send them without credentials.
 */
public final class BearerAuth implements Filter {
    private final byte[] token;
    private final boolean publicRead;

    public BearerAuth(String token, boolean publicRead) {
        this.token = token.getBytes(StandardCharsets.UTF_8);
        this.publicRead = publicRead;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        if (needsToken(req)) {
            String header = req.headers().first(HeaderNames.AUTHORIZATION).orElse(null);
            String refusal = header == null
                    ? "this route needs an Authorization: Bearer <token> header"
                    : !header.regionMatches(true, 0, "Bearer ", 0, 7)
                                    || !matches(header.substring(7).trim())
                            ? "the bearer token is not right"
                            : null;
            if (refusal != null) {
                // Answered here, not thrown: filters around this one (metrics, access log) then see the 401.
                Problems.send(req, res, Problems.of(new UnauthorizedException(refusal)));
                return;
            }
        }
        chain.proceed();
    }

    private boolean needsToken(RoutingRequest req) {
        String path = req.path().absolute().path();
        Method method = req.prologue().method();
        return (path.equals(Route.API) || path.startsWith(Route.API + "/"))
                && !path.equals(Route.SCHEMA.path())
                && method != Method.OPTIONS
                && !(publicRead && (method == Method.GET || method == Method.HEAD));
    }

    /** Constant time in the token's content, so timing does not reveal how much of a guess was right. */
    private boolean matches(String candidate) {
        return MessageDigest.isEqual(token, candidate.getBytes(StandardCharsets.UTF_8));
    }
}
