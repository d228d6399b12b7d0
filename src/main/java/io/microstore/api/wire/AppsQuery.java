package io.microstore.api.wire;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import io.helidon.common.uri.UriQuery;
import io.helidon.http.BadRequestException;
import io.microstore.json.CompactJson;
import io.microstore.json.JsonText;
import io.microstore.store.InvalidName;
import io.microstore.store.Names;
import io.microstore.store.Query;
import io.microstore.store.QueryPage;
import io.microstore.store.RollupPage;
import io.microstore.store.query.Order;
import io.microstore.store.query.Selector;
import io.microstore.store.query.SortKey;

/**
 * A listing with a query in it: {@link ListQuery}'s parameters and {@code where} (a URL-encoded JSON selector,
 * at most {@link #MAX_WHERE} bytes), {@code order}, {@code count=exact}, the opaque {@code cursor} and
 * {@code delimiter} (a listing rolled up at it; null without). A listing with none of these is a plain
 * {@link ListQuery}, answered as before.
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
        boolean consistent,
        String delimiter) {
    /** The longest {@code where} in a URL, in bytes (a longer one goes in a POST body). */
    public static final int MAX_WHERE = 8 * 1024;

    /** True when the listing asks for a query (else it is a plain listing). */
    public static boolean asked(UriQuery query) {
        return query.contains("where")
                || query.contains("order")
                || query.contains("count")
                || query.contains("cursor")
                || query.contains("delimiter");
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
        String delimiter = delimiter(QueryParams.name(query, "delimiter"), order != null);
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
                QueryParams.flag(query, "consistent"),
                delimiter);
    }

    /** What the cursor of a rolled-up page that the scan budget cut holds in place of a sort key. */
    private static final String IN_SCAN = "scan";

    /**
     * A {@code delimiter}: any text a name may hold (1..1024 bytes of UTF-8, no control character), as S3 takes
     * any; refused with {@code order}, since a rolled-up prefix stands for many apps and has no value to sort by.
     */
    private static String delimiter(String delimiter, boolean ordered) {
        if (delimiter == null) {
            return null;
        }
        if (delimiter.isEmpty()) {
            throw new BadRequestException("delimiter is empty: leave it out to list every app without rolling up");
        }
        try {
            Names.check(delimiter, "the delimiter");
        } catch (InvalidName e) {
            throw new BadRequestException(e.getMessage()); // a bad query parameter, answered as the others are
        }
        if (ordered) {
            throw new BadRequestException("delimiter lists in name order only: a rolled-up prefix stands for many "
                    + "apps and has no value to order by; leave out order");
        }
        return delimiter;
    }

    /** The members a {@code POST /api/query} body may have; any other is a 400, never ignored. */
    private static final Set<String> MEMBERS =
            Set.of("where", "order", "limit", "count", "include", "cursor", "prefix", "consistent", "delimiter");

    /**
     * The body of {@code POST /api/query}, a JSON object with the GET's parameters as members: {@code where} a
     * selector (no 8 KiB limit here: the body limit holds), {@code order} an array of pointers, {@code limit} a number, {@code count} "exact", {@code include} "data", {@code cursor} and
     * {@code prefix} strings, {@code consistent} true or false.
     */
    public static AppsQuery fromBody(byte[] body) {
        Map<String, byte[]> members = CompactJson.members(body);
        for (String member : members.keySet()) {
            if (!MEMBERS.contains(member)) {
                throw new BadRequestException("a query has no member \"" + member + "\"; it takes "
                        + String.join(
                                ", ",
                                List.of(
                                        "where",
                                        "order",
                                        "limit",
                                        "count",
                                        "include",
                                        "cursor",
                                        "prefix",
                                        "consistent",
                                        "delimiter")));
            }
        }
        byte[] where = members.get("where");
        if (where != null && where[0] != '{') {
            throw new BadRequestException("\"where\" must be a JSON object (a selector)");
        }
        String count = string(members, "count");
        if (count != null && !count.equals("exact")) {
            throw new BadRequestException("\"count\" must be \"exact\", not \"" + count + "\"");
        }
        String include = string(members, "include");
        if (include != null && !include.equals("data")) {
            throw new BadRequestException("\"include\" must be \"data\", not \"" + include + "\"");
        }
        byte[] limit = members.get("limit");
        int pageLimit = Integer.MAX_VALUE;
        if (limit != null) {
            String digits = new String(limit, StandardCharsets.US_ASCII);
            if (digits.equals("0") && count != null) {
                pageLimit = 0;
            } else if (digits.equals("0")) {
                throw new BadRequestException("limit 0 is a count alone: it needs \"count\": \"exact\"");
            } else {
                pageLimit = QueryParams.limit(digits);
            }
        }
        byte[] consistent = members.get("consistent");
        if (consistent != null
                && !List.of("true", "false").contains(new String(consistent, StandardCharsets.US_ASCII))) {
            throw new BadRequestException("\"consistent\" must be true or false");
        }
        String order = order(members.get("order"));
        return new AppsQuery(
                Objects.requireNonNullElse(string(members, "prefix"), ""),
                where == null ? null : new String(where, StandardCharsets.UTF_8),
                order,
                count != null,
                string(members, "cursor"),
                null,
                pageLimit,
                include != null,
                consistent != null && consistent[0] == 't',
                delimiter(string(members, "delimiter"), order != null));
    }

    /** {@code order}: an array of the GET's comma-separated parts; null when absent. */
    private static String order(byte[] order) {
        if (order == null) {
            return null;
        }
        if (order[0] != '[') {
            throw new BadRequestException(
                    "\"order\" must be an array of pointers, e.g. [\"/priority\", \"-/created\"]");
        }
        List<String> parts = new ArrayList<>();
        for (byte[] part : CompactJson.elements(order)) {
            if (part[0] != '"') {
                throw new BadRequestException(
                        "\"order\" must be an array of strings, each a pointer optionally prefixed by '-'");
            }
            parts.add(JsonText.decode(part, 0, part.length));
        }
        // [] is name order, as no order is: generated clients send an empty list for an unset one.
        return parts.isEmpty() ? null : String.join(",", parts);
    }

    /** A member that must be a string when present: its value, or null when absent. */
    private static String string(Map<String, byte[]> members, String member) {
        byte[] value = members.get(member);
        if (value == null) {
            return null;
        }
        if (value[0] != '"') {
            throw new BadRequestException("\"" + member + "\" must be a JSON string");
        }
        return JsonText.decode(value, 0, value.length);
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

    /**
     * True when the cursor resumes a rolled-up walk the scan budget cut, after the last app it examined rather
     * than after an item. Such a page is never counted (a count never stops at the budget), so with
     * {@code count=exact} it is a 400.
     */
    public boolean resumesScan(Query query) {
        if (cursor == null || delimiter == null) {
            return false;
        }
        String key = Cursor.decode(cursor, hash(query.where(), query.order())).key();
        if (!key.isEmpty() && !key.equals(IN_SCAN)) {
            throw new BadRequestException("cursor is not a cursor of a listing with delimiter");
        }
        if (key.equals(IN_SCAN) && count) {
            throw new BadRequestException("this cursor resumes a listing cut by the scan budget, which is never "
                    + "counted: page on without count=exact, or start again with it");
        }
        return key.equals(IN_SCAN);
    }

    /** The URL of the page after {@code page}, the listing being at {@code path}. */
    public String next(String path, Query query, QueryPage page) {
        String key = page.nextKey() == null ? "" : page.nextKey().encode();
        Cursor next = new Cursor(hash(query.where(), query.order()), key, page.nextName());
        return params(path).append("cursor=").append(next.encode()).toString();
    }

    /** The URL of the rolled-up page after {@code page}, the listing being at {@code path}. */
    public String next(String path, Query query, RollupPage page) {
        String key = page.nextInScan() ? IN_SCAN : "";
        Cursor next = new Cursor(hash(query.where(), query.order()), key, page.nextName());
        return params(path).append("cursor=").append(next.encode()).toString();
    }

    /** The listing's URL with every parameter but the cursor, each followed by {@code &}. */
    private StringBuilder params(String path) {
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
        if (delimiter != null) {
            url.append("delimiter=").append(encode(delimiter)).append('&');
        }
        return url;
    }

    /** A rolled-up listing's cursor is good for that delimiter only, and a plain query's never for a rolled-up one. */
    private String hash(Selector selector, Order parsed) {
        String order = delimiter == null ? parsed.canonical() : parsed.canonical() + '\0' + delimiter;
        return Cursor.hash(prefix, selector.canonical(), order);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
