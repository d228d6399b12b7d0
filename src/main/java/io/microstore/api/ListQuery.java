package io.microstore.api;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

import io.helidon.common.uri.UriEncoding;
import io.helidon.common.uri.UriQuery;
import io.helidon.http.BadRequestException;

/**
 * The parameters of {@code GET /api/apps}: {@code prefix}, {@code after} (exclusive cursor),
 * {@code limit} (1..10000; absent means every match, as the old service answered),
 * {@code include=data} and {@code consistent} (a linearizable read; carried into the next page's link).
 */
record ListQuery(String prefix, String after, int limit, boolean includeData, boolean consistent) {
    static final int MAX_LIMIT = 10_000;

    static ListQuery from(UriQuery query) {
        String limit = single(query, "limit");
        return new ListQuery(Objects.requireNonNullElse(name(query, "prefix"), ""),
                name(query, "after"),
                limit == null ? Integer.MAX_VALUE : limit(limit),
                includeData(query),
                consistent(query));
    }

    /**
     * {@code consistent}: {@code ?consistent} or {@code ?consistent=true} asks for a linearizable read,
     * {@code false} or no parameter for a read of what this instance holds.
     */
    static boolean consistent(UriQuery query) {
        String consistent = single(query, "consistent");
        if (consistent == null || consistent.equals("false")) {
            return false;
        }
        if (consistent.isEmpty() || consistent.equals("true")) {
            return true;
        }
        throw new BadRequestException("consistent must be given alone, 'true' or 'false', not '" + consistent + "'");
    }

    /**
     * The value of a parameter given at most once ("" when given without a value), or null; twice is
     * ambiguous, so a 400.
     */
    static String single(UriQuery query, String name) {
        if (!query.contains(name)) {
            return null;
        }
        List<String> values = query.all(name);
        if (values.isEmpty()) {
            return ""; // "?name" without "=": Helidon holds no value for it
        }
        if (values.size() > 1) {
            throw new BadRequestException("the query parameter " + name + " is given " + values.size() + " times");
        }
        return values.getFirst();
    }

    /**
     * {@link #single} for a parameter that carries a name ({@code prefix}, {@code after}): decoded from
     * the raw query as strictly as a name in the path ({@link PercentDecoder}), since Helidon's value
     * has invalid UTF-8 replaced by U+FFFD. {@code +} is a space, as Helidon reads it too.
     */
    static String name(UriQuery query, String param) {
        String lenient = single(query, param); // present, and at most once
        if (lenient == null || lenient.isEmpty()) {
            return lenient;
        }
        for (String pair : query.rawValue().split("&")) {
            int eq = pair.indexOf('=');
            if (eq >= 0 && UriEncoding.decodeUri(pair.substring(0, eq)).equals(param)) { // the key as Helidon reads it
                return PercentDecoder.decodeQuery(pair.substring(eq + 1), param);
            }
        }
        throw new IllegalStateException("no raw value of " + param + " in " + query.rawValue());
    }

    /** {@code include=data}, or no include at all. */
    static boolean includeData(UriQuery query) {
        String include = single(query, "include");
        if (include != null && !include.equals("data")) {
            throw new BadRequestException("include must be 'data', not '" + include + "'");
        }
        return include != null;
    }

    static int limit(String value) {
        if (value.matches("[0-9]{1,5}")) { // ASCII digits only: parseInt would take any Unicode digit
            int limit = Integer.parseInt(value);
            if (limit >= 1 && limit <= MAX_LIMIT) {
                return limit;
            }
        }
        throw new BadRequestException("limit must be a whole number from 1 to " + MAX_LIMIT + ", not '" + value + "'");
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
        if (consistent) {
            url.append("consistent&");
        }
        return url.append("limit=").append(limit).append("&after=").append(encode(last)).toString();
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
