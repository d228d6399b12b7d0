package io.microstore.api.wire;

import java.util.ArrayList;
import java.util.List;

import io.helidon.http.BadRequestException;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.ServerRequestHeaders;
import io.microstore.store.Entry;
import io.microstore.store.Precondition;

/** Reads the conditional request headers (RFC 9110 section 13) into entity-tag lists. */
public final class EntityTags {
    private EntityTags() {}

    /** The If-Match / If-None-Match conditions of a write. */
    public static Precondition precondition(ServerRequestHeaders headers) {
        List<String> ifMatch = list(headers, HeaderNames.IF_MATCH, false);
        List<String> ifNoneMatch = list(headers, HeaderNames.IF_NONE_MATCH, true);
        return ifMatch == null && ifNoneMatch == null ? Precondition.NONE : new Precondition(ifMatch, ifNoneMatch);
    }

    /**
     * True when a GET or HEAD may answer with {@code entry}: If-Match is absent, or lists its tag or {@code *}
     * (else 412, RFC 9110 section 13.1.1; a read is conditional as a write is).
     */
    public static boolean matchHolds(ServerRequestHeaders headers, Entry entry) {
        List<String> tags = list(headers, HeaderNames.IF_MATCH, false);
        return tags == null || Precondition.matches(tags, entry);
    }

    /** True when a GET or HEAD should answer 304: If-None-Match lists the entry's tag or is {@code *}. */
    public static boolean notModified(ServerRequestHeaders headers, Entry entry) {
        List<String> tags = list(headers, HeaderNames.IF_NONE_MATCH, true);
        return tags != null && Precondition.matches(tags, entry);
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
     * transaction's member). Parsed as RFC 9110 spells the list (sections 5.6.1 and 8.8.3): a tag is
     * {@code [W/]"..."} of visible ASCII but DQUOTE (and obs-text), so it may hold commas; only commas
     * outside quotes separate, with optional spaces and tabs around them and empty elements ignored.
     */
    static List<String> parse(String what, List<String> values, boolean weakCompare) {
        List<String> tags = new ArrayList<>(2);
        for (String value : values) {
            for (int i = skipSpace(value, 0); i < value.length(); i = skipSpace(value, i)) {
                if (value.charAt(i) == ',') { // an empty element
                    i++;
                    continue;
                }
                int end = end(value, i);
                int next = end < 0 ? -1 : skipSpace(value, end);
                if (next < 0 || next < value.length() && value.charAt(next) != ',') {
                    throw new BadRequestException(
                            what + " must be * or a list of entity tags like \"17\", not " + value);
                }
                String tag = value.substring(i, end);
                tags.add(weakCompare && tag.startsWith("W/") ? tag.substring(2) : tag);
                i = next;
            }
        }
        if (tags.isEmpty()) {
            throw new BadRequestException(what + " is empty");
        }
        return tags;
    }

    /** The end of the {@code *} or entity-tag that starts at {@code from}, or -1 when none does. */
    private static int end(String s, int from) {
        if (s.charAt(from) == '*') {
            return from + 1;
        }
        int i = s.startsWith("W/", from) ? from + 2 : from;
        if (i == s.length() || s.charAt(i) != '"') {
            return -1;
        }
        for (i++; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') {
                return i + 1;
            }
            if (c < 0x21 || c == 0x7F || c > 0xFF) { // etagc: %x21 / %x23-7E / obs-text
                return -1;
            }
        }
        return -1; // no closing quote
    }

    /** The index of the first character at or after {@code i} that is no space or tab (OWS). */
    private static int skipSpace(String s, int i) {
        while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
            i++;
        }
        return i;
    }
}
