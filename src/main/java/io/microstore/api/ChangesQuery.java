package io.microstore.api;

import java.time.Duration;

import io.helidon.common.uri.UriQuery;

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
        String since = query.first("since").orElse("now");
        String include = query.first("include").orElse(null);
        if (include != null && !include.equals("data")) {
            throw new BadRequest("include must be 'data', not '" + include + "'");
        }
        return new ChangesQuery(since.equals("now") ? null : since(since),
                query.contains("limit") ? ListQuery.limit(query.get("limit")) : DEFAULT_LIMIT,
                query.first("prefix").orElse(""),
                include != null,
                query.contains("wait") ? waitTime(query.get("wait")) : Duration.ZERO);
    }

    /** A seq from {@code since} or a {@code Last-Event-ID} header. */
    static long since(String value) {
        try {
            long seq = Long.parseLong(value.trim());
            if (seq >= 0) {
                return seq;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new BadRequest("since must be a sequence number (0 or more) or 'now', not '" + value + "'");
    }

    static Duration waitTime(String value) {
        try {
            double seconds = Double.parseDouble(value.trim());
            if (seconds >= 0 && seconds <= MAX_WAIT_SECONDS) {
                return Duration.ofMillis(Math.round(seconds * 1000));
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new BadRequest("wait must be a number of seconds from 0 to " + MAX_WAIT_SECONDS + ", not '" + value + "'");
    }
}
