package io.microstore.api.limits;

import io.helidon.http.BadRequestException;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * Refuses (400) a request whose path Helidon would route as another one: it removes dot segments
 * ({@code /./}, {@code /../}, a last {@code /.} or {@code /..}) and {@code ;} parameters and merges
 * {@code //} before routing, so {@code /api/apps/x/../../keys} would reach the keys. A proxy in front that
 * lets only some paths through ({@code /api/apps/} and no further, say) would then let that one by too.
 * One path, one route: such a path is refused on every route, as a request target with a {@code #}
 * fragment is (RFC 9112 section 3.2 has none; Helidon would drop it and write another app). Encoded,
 * {@code %2E}, {@code %3B} and {@code %2F} are a name's own characters and pass.
 */
public final class PathForm implements Filter {
    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        String raw = req.path().absolute().rawPath();
        if (!normal(raw)) { // the words of AppsService.name's refusal: the services may not use this room
            throw new BadRequestException("the path " + raw + " is not in normal form: it is routed as "
                    + req.path().absolute().path() + "; percent-encode '.' and '..' segments, ';' and empty "
                    + "segments of a name (%2E, %3B, %2F)");
        }
        if (req.prologue().fragment().hasValue()) {
            throw new BadRequestException("a request target has no #fragment: percent-encode '#' as %23");
        }
        chain.proceed();
    }

    /**
     * Whether {@code raw} has no dot segment, no {@code ;} and no empty segment but a last one. A scan, not a
     * split: every request passes here.
     */
    private static boolean normal(String raw) {
        int start = 1; // of the current segment; raw starts with '/'
        for (int i = 1; i <= raw.length(); i++) {
            char c = i < raw.length() ? raw.charAt(i) : '/';
            if (c == ';') {
                return false;
            }
            if (c == '/') {
                int length = i - start;
                boolean dots = (length == 1 || length == 2) && raw.charAt(start) == '.' && raw.charAt(i - 1) == '.';
                if (dots || (length == 0 && i < raw.length())) {
                    return false;
                }
                start = i + 1;
            }
        }
        return true;
    }
}
