package io.microstore.api.access;

import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import io.helidon.http.ForbiddenException;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.microstore.api.Problems;

/**
 * CORS for the listed origins: every method of the API, the content, conditional and auth request
 * headers, and the response headers a client needs (ETag, Link, Location, Retry-After, Expires-In;
 * Expires is safelisted).
 *
 * <p>Our own filter rather than helidon-webserver-cors, whose 4.5.0 validator reads the bare-comma
 * list browsers send ({@code content-type,if-match}) as one header name and refuses the preflight,
 * and which refuses same-origin writes from the Swagger UI (browsers send Origin on those too).
 * Requests from other origins go on without CORS headers, so the browser keeps their answers from
 * the page; only their preflights are refused.
 */
public final class CorsFilter implements Filter {
    static final String METHODS = "GET, HEAD, PUT, PATCH, DELETE, POST";
    static final String HEADERS = "Content-Type, If-Match, If-None-Match, Authorization, Last-Event-ID, Accept";
    static final String EXPOSED = "ETag, Link, Location, Retry-After, Expires-In, X-Total-Count, Query-Seq, Query-Plan";
    private static final HeaderName REQUEST_METHOD = HeaderNames.create("Access-Control-Request-Method");
    private static final HeaderName REQUEST_HEADERS = HeaderNames.create("Access-Control-Request-Headers");
    private static final Set<String> ALLOWED_METHODS = lowerCase(METHODS);
    private static final Set<String> ALLOWED_HEADERS = lowerCase(HEADERS);

    private final Set<String> origins;

    public CorsFilter(Set<String> origins) {
        this.origins = Set.copyOf(origins);
    }

    public Set<String> origins() {
        return origins;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        String origin = req.headers().first(HeaderNames.ORIGIN).orElse(null);
        if (origin == null) {
            chain.proceed();
            return;
        }
        boolean allowed = origins.contains(origin);
        if (req.prologue().method() == Method.OPTIONS && req.headers().contains(REQUEST_METHOD)) {
            preflight(req, res, origin, allowed);
            return;
        }
        if (allowed) {
            res.header(HeaderValues.create(HeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin));
            res.header(HeaderValues.create(HeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS, EXPOSED));
            res.header(HeaderValues.create(HeaderNames.VARY, "Origin"));
        }
        chain.proceed();
    }

    private void preflight(RoutingRequest req, RoutingResponse res, String origin, boolean allowed) {
        String method = req.headers().first(REQUEST_METHOD).orElse("").trim().toLowerCase(Locale.ROOT);
        Set<String> headers = lowerCase(req.headers().first(REQUEST_HEADERS).orElse(""));
        if (!allowed || !ALLOWED_METHODS.contains(method) || !ALLOWED_HEADERS.containsAll(headers)) {
            String detail = !allowed
                    ? "origin " + origin + " is not allowed (cors.allow-origins)"
                    : "CORS allows the methods " + METHODS + " and the headers " + HEADERS;
            Problems.send(req, res, Problems.of(new ForbiddenException(detail)));
            return;
        }
        res.header(HeaderValues.create(HeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin));
        res.header(HeaderValues.create(HeaderNames.ACCESS_CONTROL_ALLOW_METHODS, METHODS));
        res.header(HeaderValues.create(HeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, HEADERS));
        res.header(HeaderValues.create(HeaderNames.ACCESS_CONTROL_MAX_AGE, 3600));
        res.header(HeaderValues.create(HeaderNames.VARY, "Origin"));
        res.status(Status.NO_CONTENT_204).send();
    }

    private static Set<String> lowerCase(String list) {
        return Arrays.stream(list.split(","))
                .map(s -> s.trim().toLowerCase(Locale.ROOT))
                .filter(s -> !s.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
    }
}
