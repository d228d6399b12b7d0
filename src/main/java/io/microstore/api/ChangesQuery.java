package io.microstore.api;

import java.time.Duration;
import java.util.Objects;

import io.helidon.common.uri.UriQuery;
import io.helidon.http.BadRequestException;

/**
 * The parameters of {@code GET /api/changes}: {@code since} (a seq or {@code now}; absent means now),
 * {@code limit} (1..10000, default 1000), {@code prefix}, {@code include=data} and {@code wait}
 * (seconds to long-poll, 0..300).
 */
record ChangesQuery(Long since, int limit, String prefix, boolean includeData, Duration waitFor) {
    static final int DEFAULT_LIMIT = 1000;
    static final int MAX_WAIT_SECONDS = 300;

    /** @return the query; {@code since} is null for "now" */
    static ChangesQuery from(UriQuery query) {
        String since = Objects.requireNonNullElse(ListQuery.single(query, "since"), "now");
        String limit = ListQuery.single(query, "limit");
        String wait = ListQuery.single(query, "wait");
        return new ChangesQuery(since.equals("now") ? null : since(since),
                limit == null ? DEFAULT_LIMIT : ListQuery.limit(limit),
                Objects.requireNonNullElse(ListQuery.name(query, "prefix"), ""),
                ListQuery.includeData(query),
                wait == null ? Duration.ZERO : waitTime(wait));
    }

    /** A seq from {@code since} or a {@code Last-Event-ID} header. */
    static long since(String value) {
        String digits = value.trim();
        if (digits.matches("[0-9]{1,18}")) {
            return Long.parseLong(digits);
        }
        throw new BadRequestException("since must be a sequence number (0 or more) or 'now', not '" + value + "'");
    }

    static Duration waitTime(String value) {
        if (value.trim().matches("[0-9]{1,3}(\\.[0-9]{1,3})?")) {
            double seconds = Double.parseDouble(value.trim());
            if (seconds <= MAX_WAIT_SECONDS) {
                return Duration.ofMillis(Math.round(seconds * 1000));
            }
        }
        throw new BadRequestException("wait must be a number of seconds from 0 to " + MAX_WAIT_SECONDS + ", not '" + value + "'");
    }
}
