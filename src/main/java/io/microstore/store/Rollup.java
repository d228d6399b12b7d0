package io.microstore.store;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * One page of a listing rolled up at a delimiter, as S3's ListObjectsV2 lists: an app whose name holds no
 * delimiter after the prefix is an item of its own; the others make one item per rolled-up prefix, the name up to
 * and including the first delimiter after the prefix ({@code team/a/} for {@code team/a/x} under {@code team/}),
 * listed when at least one app under it matches. Items are in name order (a rolled-up prefix sorts as its own
 * string) and each counts once against the limit.
 *
 * <p>The walk examines at most {@code budget} apps ({@code store.query.scan-budget}): once a prefix is listed it
 * seeks past every name under it in the name index, so it never walks the apps of a listed prefix; under a prefix
 * not listed yet it stops at the first match. A page the budget cuts resumes exactly after the last app examined
 * (the prefix that app is under may still be listed then); a full page resumes after its last item, a rolled-up
 * prefix skipped whole. A count walks from the start of the prefix and must fit the budget, as {@link QueryScan}'s
 * does. Run inside {@link Index#whole}, so it sees no part of a transaction.
 */
final class Rollup {
    private final Index index;
    private final Query q;
    private final String delimiter;
    private final boolean resumeScan;
    private final long budget;
    private final long seq;
    private final Scope scope;

    /**
     * {@code resumeScan}: the position ({@code q.afterName()}) is the last app a page cut by the budget examined,
     * not an item; a count never gets one (the wire refuses it), since counted pages are never cut. Of the apps
     * {@code scope} may read only: a prefix is rolled up only when a readable app under it matches.
     */
    Rollup(Index index, Query q, String delimiter, boolean resumeScan, long budget, long seq, Scope scope) {
        this.scope = scope;
        this.index = index;
        this.q = q;
        this.delimiter = delimiter;
        this.resumeScan = resumeScan && !q.count();
        this.budget = budget;
        this.seq = seq;
    }

    RollupPage page() {
        List<RollupItem> items = new ArrayList<>(Math.min(q.limit(), 256));
        String after = q.afterName();
        Iterator<Map.Entry<String, Entry>> apps = start().iterator();
        String position = after; // where a page cut by the budget resumes
        boolean inScan = resumeScan;
        long examined = 0;
        long total = 0;
        boolean more = false;
        while (apps.hasNext()) {
            Map.Entry<String, Entry> app = apps.next();
            String name = app.getKey();
            if (!name.startsWith(q.prefix())) {
                break;
            }
            if (!scope.mayRead(name)) {
                continue;
            }
            if (examined == budget) {
                if (q.count()) {
                    throw indexRequired();
                }
                return new RollupPage(items, true, position, inScan, -1, examined, seq);
            }
            examined++;
            position = name;
            inScan = true;
            if (!q.where().matches(app.getValue().data())) {
                continue;
            }
            String prefix = rolledUp(name);
            RollupItem item = new RollupItem(prefix == null ? name : prefix, prefix == null ? app.getValue() : null);
            if (prefix != null) { // listed: none of its other apps is examined
                apps = past(prefix).iterator();
                position = prefix;
                inScan = false;
            }
            total++;
            if (after != null && q.count() && Names.ORDER.compare(item.name(), after) <= 0) {
                continue; // before this page: counted only
            }
            if (items.size() == q.limit()) {
                more = q.limit() > 0; // limit=0 is a count alone, with no next page
                if (!q.count()) {
                    break;
                }
            } else {
                items.add(item);
            }
        }
        String next = more ? items.getLast().name() : null;
        return new RollupPage(items, more, next, false, q.count() ? total : -1, examined, seq);
    }

    /**
     * Where the walk starts: a count at the start of the prefix; a page after its position, which for an item
     * under a rolled-up prefix (that prefix itself included) is past every name under that prefix.
     */
    private Iterable<Map.Entry<String, Entry>> start() {
        String after = q.afterName();
        if (q.count() || after == null || resumeScan) {
            return index.from(q.prefix(), q.count() ? null : after);
        }
        String prefix = after.startsWith(q.prefix()) ? rolledUp(after) : null;
        return prefix == null ? index.from(q.prefix(), after) : past(prefix);
    }

    /** The prefix {@code name} is rolled up into: up to and including the first delimiter after the prefix; or null. */
    private String rolledUp(String name) {
        int at = name.indexOf(delimiter, q.prefix().length());
        return at < 0 ? null : name.substring(0, at + delimiter.length());
    }

    /** The entries after every name that starts with {@code prefix}: a seek in the name index, not a walk. */
    private Iterable<Map.Entry<String, Entry>> past(String prefix) {
        String first = successor(prefix);
        return first == null ? Collections.emptyList() : index.at(first);
    }

    /**
     * The least string above every string that starts with {@code s} in code point order ({@link Names#ORDER}):
     * its last code point incremented (past the surrogates, which are no code points of a name), or when that is
     * U+10FFFF the successor of what precedes it; null when there is none.
     */
    static String successor(String s) {
        int end = s.length();
        while (end > 0) {
            int last = s.codePointBefore(end);
            int start = end - Character.charCount(last);
            if (last < Character.MAX_CODE_POINT) {
                int next = last + 1 == Character.MIN_SURROGATE ? Character.MAX_SURROGATE + 1 : last + 1;
                return s.substring(0, start) + Character.toString(next);
            }
            end = start;
        }
        return null;
    }

    /**
     * The refusal of a count beyond the budget, as {@link QueryScan}'s: 422; a roll-up is always a scan, so the
     * advice is a narrower prefix or no count rather than an index.
     */
    private IndexRequired indexRequired() {
        return new IndexRequired(
                "counting the rolled-up listing needs more than store.query.scan-budget (" + budget + ") apps examined",
                null,
                List.of(),
                false);
    }
}
