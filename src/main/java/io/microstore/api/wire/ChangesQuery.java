package io.microstore.api.wire;

import java.time.Duration;
import java.util.Objects;

import io.helidon.common.uri.UriQuery;
import io.helidon.http.BadRequestException;

/**
 * The parameters of {@code GET /api/changes}: {@code since} (a seq or {@code now}; absent means now),
 * {@code limit} (1..10000, default 1000), {@code prefix}, {@code include=data} and {@code wait}
 * (seconds to long-poll, 0..300).
 */
public record ChangesQuery(Long since, int limit, String prefix, boolean includeData, Duration waitFor) {
    static final int DEFAULT_LIMIT = 1000;

    /** @return the query; {@code since} is null for "now" */
    public static ChangesQuery from(UriQuery query) {
        String since = Objects.requireNonNullElse(QueryParams.single(query, "since"), "now");
        String limit = QueryParams.single(query, "limit");
        String wait = QueryParams.single(query, "wait");
        return new ChangesQuery(
                since.equals("now") ? null : since(since),
                limit == null ? DEFAULT_LIMIT : QueryParams.limit(limit),
                Objects.requireNonNullElse(QueryParams.name(query, "prefix"), ""),
                QueryParams.includeData(query),
                wait == null ? Duration.ZERO : QueryParams.waitTime(wait));
    }

    /** A seq from {@code since} or a {@code Last-Event-ID} header. */
    public static long since(String value) {
        String digits = value.trim();
        if (digits.matches("[0-9]{1,18}")) {
            return Long.parseLong(digits);
        }
        throw new BadRequestException("since must be a sequence number (0 or more) or 'now', not '" + value + "'");
    }
}
