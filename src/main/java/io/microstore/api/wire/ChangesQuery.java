package io.microstore.api.wire;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.helidon.common.uri.UriQuery;
import io.helidon.http.BadRequestException;
import io.microstore.store.feed.FeedPosition;
import io.microstore.store.query.Selector;

/**
 * The parameters of {@code GET /api/changes}: {@code since} (a seq, a position inside a seq's commit
 * as an SSE event's id gives it, or {@code now}; absent means now), {@code limit} (1..10000, default
 * 1000), {@code prefix}, {@code include=data}, {@code wait} (seconds to long-poll, 0..300) and {@code where}
 * (a live query: the selector of {@code GET /api/apps?where}, read and refused the same way; null without one).
 */
public record ChangesQuery(
        FeedPosition since, int limit, String prefix, boolean includeData, Duration waitFor, Selector where) {
    static final int DEFAULT_LIMIT = 1000;
    /** {@code <seq>} or {@code <seq>.<change>}: see {@link #id}. */
    private static final Pattern POSITION = Pattern.compile("([0-9]{1,18})(?:\\.([0-9]{1,9}))?");

    /** @return the query; {@code since} is null for "now" */
    public static ChangesQuery from(UriQuery query) {
        String since = Objects.requireNonNullElse(QueryParams.single(query, "since"), "now");
        String limit = QueryParams.single(query, "limit");
        String wait = QueryParams.single(query, "wait");
        String where = QueryParams.single(query, "where");
        if (where != null && where.getBytes(StandardCharsets.UTF_8).length > AppsQuery.MAX_WHERE) {
            throw new BadRequestException("where is longer than " + AppsQuery.MAX_WHERE + " bytes");
        }
        return new ChangesQuery(
                since.equals("now") ? null : since(since),
                limit == null ? DEFAULT_LIMIT : QueryParams.limit(limit),
                Objects.requireNonNullElse(QueryParams.name(query, "prefix"), ""),
                QueryParams.includeData(query),
                wait == null ? Duration.ZERO : QueryParams.waitTime(wait),
                where == null ? null : Selector.parse(where.getBytes(StandardCharsets.UTF_8)));
    }

    /** A position from {@code since} or a {@code Last-Event-ID} header: {@code <seq>} or {@code <seq>.<change>}. */
    public static FeedPosition since(String value) {
        Matcher m = POSITION.matcher(value.trim());
        if (m.matches() && (m.group(2) == null || Long.parseLong(m.group(1)) > 0)) {
            long seq = Long.parseLong(m.group(1));
            return m.group(2) == null ? FeedPosition.after(seq) : new FeedPosition(seq, Integer.parseInt(m.group(2)));
        }
        throw new BadRequestException("since must be a sequence number (0 or more), an event id such as 57 or 57.2, "
                + "or 'now', not '" + value + "'");
    }

    /**
     * An SSE event's id, the position right after it: {@code <seq>} after the last change of a seq (what
     * {@code last_seq} says too), {@code <seq>.<change>} after change number {@code change} (from 0) of a
     * transaction's commit, so that a client resumes inside the transaction, with nothing twice.
     */
    public static String id(FeedPosition position) {
        return position.inside() ? position.seq() + "." + position.change() : Long.toString(position.seq());
    }
}
