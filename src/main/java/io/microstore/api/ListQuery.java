package io.microstore.api;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

import io.helidon.common.uri.UriQuery;

/**
 * The parameters of {@code GET /api/apps}: {@code prefix}, {@code after} (exclusive cursor),
 * {@code limit} (1..10000; absent means every match, as the old service answered) and
 * {@code include=data}.
 */
record ListQuery(String prefix, String after, int limit, boolean includeData) {
    static final int MAX_LIMIT = 10_000;

    static ListQuery from(UriQuery query) {
        String prefix = query.first("prefix").orElse("");
        String after = query.first("after").orElse(null);
        int limit = query.contains("limit") ? limit(query.get("limit")) : Integer.MAX_VALUE;
        String include = query.first("include").orElse(null);
        if (include != null && !include.equals("data")) {
            throw new BadRequest("include must be 'data', not '" + include + "'");
        }
        return new ListQuery(prefix, after, limit, include != null);
    }

    static int limit(String value) {
        try {
            int limit = Integer.parseInt(value.trim());
            if (limit >= 1 && limit <= MAX_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new BadRequest("limit must be a whole number from 1 to " + MAX_LIMIT + ", not '" + value + "'");
    }

    /** The URL of the page after the one that ended with {@code last}. */
    String next(String last) {
        StringBuilder url = new StringBuilder("/api/apps?");
        if (!prefix.isEmpty()) {
            url.append("prefix=").append(encode(prefix)).append('&');
        }
        if (includeData) {
            url.append("include=data&");
        }
        return url.append("limit=").append(limit).append("&after=").append(encode(last)).toString();
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
