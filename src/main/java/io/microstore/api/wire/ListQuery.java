package io.microstore.api.wire;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

import io.helidon.common.uri.UriQuery;

/**
 * The parameters of {@code GET /api/apps}: {@code prefix}, {@code after} (exclusive cursor),
 * {@code limit} (1..10000; absent means every match, as the old service answered),
 * {@code include=data} and {@code consistent} (a linearizable read; carried into the next page's link).
 */
public record ListQuery(String prefix, String after, int limit, boolean includeData, boolean consistent) {
    public static ListQuery from(UriQuery query) {
        String limit = QueryParams.single(query, "limit");
        return new ListQuery(
                Objects.requireNonNullElse(QueryParams.name(query, "prefix"), ""),
                QueryParams.name(query, "after"),
                limit == null ? Integer.MAX_VALUE : QueryParams.limit(limit),
                QueryParams.includeData(query),
                QueryParams.flag(query, "consistent"));
    }

    /** The URL of the page after the one that ended with {@code last}, the listing being at {@code path}. */
    public String next(String path, String last) {
        StringBuilder url = new StringBuilder(path).append('?');
        if (!prefix.isEmpty()) {
            url.append("prefix=").append(encode(prefix)).append('&');
        }
        if (includeData) {
            url.append("include=data&");
        }
        if (consistent) {
            url.append("consistent&");
        }
        return url.append("limit=")
                .append(limit)
                .append("&after=")
                .append(encode(last))
                .toString();
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
