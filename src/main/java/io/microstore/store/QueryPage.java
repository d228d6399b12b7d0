package io.microstore.store;

import java.util.List;
import java.util.Map;

import io.microstore.store.query.SortKey;

/**
 * A page of a query's answer. When {@code more}, the next page starts after ({@code nextKey}, {@code nextName}):
 * the last row's, or in name order the last app examined when the scan budget ran out before the page was full.
 * {@code total} is every match when counted, else -1; {@code examined} how many apps were tested; {@code seq}
 * the seq it was computed at: every change up to it is in the answer (later ones may be too, and the changes
 * feed since it repeats them); {@code index} the id of the index that served it, or null for a scan.
 */
public record QueryPage(
        List<Map.Entry<String, Entry>> items,
        boolean more,
        SortKey nextKey,
        String nextName,
        long total,
        long examined,
        long seq,
        String index) {
    /** A page computed by a scan ({@code index} null: no secondary index served it). */
    public QueryPage(
            List<Map.Entry<String, Entry>> items,
            boolean more,
            SortKey nextKey,
            String nextName,
            long total,
            long examined,
            long seq) {
        this(items, more, nextKey, nextName, total, examined, seq, null);
    }
}
