package io.microstore.store;

import java.util.List;

/**
 * A page of a listing rolled up at a delimiter ({@link Rollup}). When {@code more}, the next page starts after
 * {@code nextName}: after the last item (a rolled-up prefix skipped whole) or, when {@code nextInScan}, after the
 * last app examined by a walk the scan budget cut (the prefix that app is under may still be listed).
 * {@code total} is every item when counted, else -1; {@code examined} how many apps were tested; {@code seq} as in
 * {@link QueryPage}.
 */
public record RollupPage(
        List<RollupItem> items,
        boolean more,
        String nextName,
        boolean nextInScan,
        long total,
        long examined,
        long seq) {}
