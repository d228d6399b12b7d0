package io.microstore.api;

import java.util.ArrayList;
import java.util.List;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.ServerRequestHeaders;
import io.microstore.store.Entry;
import io.microstore.store.Precondition;

/** Reads the conditional request headers (RFC 9110 section 13) into entity-tag lists. */
final class EntityTags {
    private EntityTags() {
    }

    /** The If-Match / If-None-Match conditions of a write. */
    static Precondition precondition(ServerRequestHeaders headers) {
        List<String> ifMatch = list(headers, HeaderNames.IF_MATCH, false);
        List<String> ifNoneMatch = list(headers, HeaderNames.IF_NONE_MATCH, true);
        return ifMatch == null && ifNoneMatch == null ? Precondition.NONE : new Precondition(ifMatch, ifNoneMatch);
    }

    /** True when a GET or HEAD should answer 304: If-None-Match lists the entry's tag or is {@code *}. */
    static boolean notModified(ServerRequestHeaders headers, Entry entry) {
        List<String> tags = list(headers, HeaderNames.IF_NONE_MATCH, true);
        return tags != null && (tags.contains("*") || tags.contains(entry.etag()));
    }

    /**
     * The entity tags of one header, or null when it is absent. If-None-Match compares weakly, so
     * {@code W/} prefixes are dropped there; If-Match compares strongly, so a weak tag stays as it is
     * and can never match (our tags are all strong).
     */
    static List<String> list(ServerRequestHeaders headers, HeaderName header, boolean weakCompare) {
        if (!headers.contains(header)) {
            return null;
        }
        return parse(header.defaultCase(), headers.get(header).allValues(), weakCompare);
    }

    /**
     * The entity tags of a condition's {@code values} as the header would carry them ({@code "17"}, a
     * comma-separated list, or {@code *}); {@code what} names it in the error (the header, or a
     * transaction's member).
     */
    static List<String> parse(String what, List<String> values, boolean weakCompare) {
        List<String> tags = new ArrayList<>(2);
        for (String value : values) {
            for (String raw : value.split(",")) {
                String tag = raw.trim();
                if (tag.isEmpty()) {
                    continue;
                }
                if (!tag.equals("*") && !valid(tag)) {
                    throw new BadRequest(what + " must be * or a list of entity tags like \"17\", not " + value);
                }
                tags.add(weakCompare && tag.startsWith("W/") ? tag.substring(2) : tag);
            }
        }
        if (tags.isEmpty()) {
            throw new BadRequest(what + " is empty");
        }
        return tags;
    }

    private static boolean valid(String tag) {
        String opaque = tag.startsWith("W/") ? tag.substring(2) : tag;
        return opaque.length() >= 2 && opaque.startsWith("\"") && opaque.endsWith("\"")
                && opaque.indexOf('"', 1) == opaque.length() - 1;
    }
}
