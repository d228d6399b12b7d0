package io.microstore.api.wire;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

import io.helidon.common.uri.UriQuery;
import io.helidon.http.BadRequestException;
import io.microstore.store.Query;
import io.microstore.store.QueryPage;
import io.microstore.store.query.Order;
import io.microstore.store.query.Selector;
import io.microstore.store.query.SortKey;

/**
 * A listing with a query in it: {@link ListQuery}'s parameters and {@code where} (a URL-encoded JSON selector,
 * at most {@link #MAX_WHERE} bytes), {@code order}, {@code count=exact} and the opaque {@code cursor}. A
 * listing with none of these is a plain {@link ListQuery}, answered as before.
 */
public record AppsQuery(
        String prefix,
        String where,
        String order,
        boolean count,
        String cursor,
        String after,
        int limit,
        boolean includeData,
        boolean consistent) {
    /** The longest {@code where} in a URL, in bytes (a longer one goes in a POST body). */
    public static final int MAX_WHERE = 8 * 1024;

    /** True when the listing asks for a query (else it is a plain listing). */
    public static boolean asked(UriQuery query) {
        return query.contains("where")
                || query.contains("order")
                || query.contains("count")
                || query.contains("cursor");
    }

    public static AppsQuery from(UriQuery query) {
        String where = QueryParams.single(query, "where");
        if (where != null && where.getBytes(StandardCharsets.UTF_8).length > MAX_WHERE) {
            throw new BadRequestException(
                    "where is longer than " + MAX_WHERE + " bytes; send the query as POST /api/query");
        }
        String order = QueryParams.single(query, "order");
        String count = QueryParams.single(query, "count");
        if (count != null && !count.equals("exact")) {
            throw new BadRequestException("count must be 'exact', not '" + count + "'");
        }
        String cursor = QueryParams.single(query, "cursor");
        String after = QueryParams.name(query, "after");
        if (after != null && order != null) {
            throw new BadRequestException(
                    "after pages by name only; with order, page with the cursor of the next link");
        }
        if (after != null && cursor != null) {
            throw new BadRequestException("give cursor or after, not both");
        }
        String limit = QueryParams.single(query, "limit");
        int pageLimit;
        if (limit == null) {
            pageLimit = Integer.MAX_VALUE;
        } else if (limit.equals("0")) {
            if (count == null) {
                throw new BadRequestException("limit=0 is a count alone: it needs count=exact");
            }
            pageLimit = 0;
        } else {
            pageLimit = QueryParams.limit(limit);
        }
        return new AppsQuery(
                Objects.requireNonNullElse(QueryParams.name(query, "prefix"), ""),
                where,
                order,
                count != null,
                cursor,
                after,
                pageLimit,
                QueryParams.includeData(query),
                QueryParams.flag(query, "consistent"));
    }

    /** The store's query: the selector and order parsed (400 when they cannot be), the cursor read. */
    public Query toQuery() {
        Selector selector = where == null ? Selector.all() : Selector.parse(where.getBytes(StandardCharsets.UTF_8));
        Order parsed = order == null ? Order.byName() : Order.parse(order);
        if (cursor == null) {
            return new Query(prefix, selector, parsed, null, after, limit, count);
        }
        Cursor at = Cursor.decode(cursor, hash(selector, parsed));
        SortKey key = parsed.byNameOnly() ? null : SortKey.decode(at.key(), parsed);
        return new Query(prefix, selector, parsed, key, at.name(), limit, count);
    }

    /** The URL of the page after {@code page}, the listing being at {@code path}. */
    public String next(String path, Query query, QueryPage page) {
        StringBuilder url = new StringBuilder(path).append('?');
        if (!prefix.isEmpty()) {
            url.append("prefix=").append(encode(prefix)).append('&');
        }
        if (where != null) {
            url.append("where=").append(encode(where)).append('&');
        }
        if (order != null) {
            url.append("order=").append(encode(order)).append('&');
        }
        if (count) {
            url.append("count=exact&");
        }
        if (includeData) {
            url.append("include=data&");
        }
        if (consistent) {
            url.append("consistent&");
        }
        if (limit != Integer.MAX_VALUE) {
            url.append("limit=").append(limit).append('&');
        }
        String key = page.nextKey() == null ? "" : page.nextKey().encode();
        Cursor next = new Cursor(hash(query.where(), query.order()), key, page.nextName());
        return url.append("cursor=").append(next.encode()).toString();
    }

    private String hash(Selector selector, Order parsed) {
        return Cursor.hash(prefix, selector.canonical(), parsed.canonical());
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
