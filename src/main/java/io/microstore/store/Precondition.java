package io.microstore.store;

import java.util.List;

/**
 * The conditions of a conditional write (RFC 9110 If-Match / If-None-Match), evaluated by the engine
 * against the current version so two racing writers cannot both win. A null list means the header
 * was absent; a list holding {@code "*"} matches any existing version.
 */
public record Precondition(List<String> ifMatch, List<String> ifNoneMatch) {
    public static final Precondition NONE = new Precondition(null, null);

    /** True when a write may proceed given the current entry (null when the app does not exist). */
    public boolean allows(Entry current) {
        if (ifMatch != null && (current == null || !matches(ifMatch, current))) {
            return false;
        }
        return ifNoneMatch == null || current == null || !matches(ifNoneMatch, current);
    }

    /**
     * True when {@code tags} (an If-Match or If-None-Match list) match the existing {@code current}: they
     * hold {@code *} or its tag. Public: conditional reads (a 304) match by this same rule.
     */
    public static boolean matches(List<String> tags, Entry current) {
        return tags.contains("*") || tags.contains(current.etag());
    }
}
