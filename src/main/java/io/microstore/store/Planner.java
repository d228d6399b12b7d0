package io.microstore.store;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

import io.microstore.store.query.CountRange;
import io.microstore.store.query.IndexKey;
import io.microstore.store.query.IndexRanges;
import io.microstore.store.query.Order;
import io.microstore.store.query.SortKey;

/**
 * Picks a ready secondary index for a query, or none (null: the caller scans), and computes the page with it.
 * The index only narrows: every candidate it gives is still tested with the whole selector and the prefix, and
 * {@code examined} counts candidates, bounded by the scan budget as a scan is. The rules, in order:
 *
 * <ol>
 *   <li>An exact count, without a prefix, whose selector is exactly some ranges of an index's entries is the
 *       number of entries in them, counted in O(log n) each (no walk, no app read, {@code examined=0}): one
 *       condition ({@code $eq}, {@code $in}, {@code $contains}, {@code $gt $gte $lt $lte}) on the first pointer,
 *       or ({@link CountRange}) equalities on the first pointers of a compound index and then an equality, a
 *       range or a {@code $prefix} on the next one. Any other count scans.
 *   <li>An order whose pointers begin the index's, all ascending or all descending, walks the index in that
 *       direction (narrowed to the selector's range on the first pointer when it has one): no in-memory sort,
 *       so it goes beyond the budget, a page not full when the budget runs out resuming after the last app
 *       examined.
 *   <li>A selector that constrains an index's first pointer at its top level gives candidates: in name order,
 *       equalities and {@code $contains} on a one-pointer index (or any {@code $contains}) are merged by name
 *       and page as a scan does; otherwise the candidates, when no more than the budget, are sorted in memory.
 * </ol>
 *
 * Runs inside {@link Index#whole}: the indexes and the apps agree.
 */
final class Planner {
    private final Index index;
    private final Query q;
    private final long budget;
    private final long seq;

    private Planner(Index index, Query q, long budget, long seq) {
        this.index = index;
        this.q = q;
        this.budget = budget;
        this.seq = seq;
    }

    /** The page through an index, or null when none serves this query. */
    static QueryPage page(Index index, List<SecondaryIndex> ready, Query q, long budget, long seq) {
        if (ready.isEmpty()) {
            return null;
        }
        return new Planner(index, q, budget, seq).plan(ready);
    }

    private QueryPage plan(List<SecondaryIndex> ready) {
        if (q.count()) {
            if (!q.prefix().isEmpty()) {
                return null;
            }
            for (SecondaryIndex i : ready) {
                long total = counted(i);
                if (total >= 0) {
                    if (q.limit() == 0) {
                        return new QueryPage(List.of(), false, null, null, total, 0, seq, i.id);
                    }
                    QueryPage page = pageOf(ready);
                    if (page == null) {
                        return null;
                    }
                    return new QueryPage(
                            page.items(),
                            page.more(),
                            page.nextKey(),
                            page.nextName(),
                            total,
                            page.examined(),
                            seq,
                            page.index());
                }
            }
            return null; // a count that needs every app tested: the scan's, bounded as it is
        }
        return pageOf(ready);
    }

    private QueryPage pageOf(List<SecondaryIndex> ready) {
        Order order = q.order();
        if (!order.byNameOnly()) {
            int n = order.pointers().size();
            boolean down = order.descending(0);
            boolean same = true;
            for (int p = 1; p < n; p++) {
                same &= order.descending(p) == down;
            }
            if (same) {
                for (SecondaryIndex i : ready) {
                    if (i.paths.size() >= order.pointers().size()
                            && i.paths.subList(0, order.pointers().size()).equals(order.pointers())) {
                        QueryPage page = ordered(i, down);
                        if (page != null) {
                            return page;
                        }
                    }
                }
            }
        }
        // The cheapest usable index is the one with the fewest candidates; a sole one is taken without counting
        // (the two descents of a count were a tenth of an equality page's CPU).
        SecondaryIndex best = null;
        IndexRanges bestRanges = null;
        long bestCost = -1; // not counted yet
        for (SecondaryIndex i : ready) {
            IndexRanges r = IndexRanges.of(q.where(), i.paths.getFirst());
            if (!r.usable()) {
                continue;
            }
            if (best == null) {
                best = i;
                bestRanges = r;
                continue;
            }
            if (bestCost < 0) {
                bestCost = cost(best, bestRanges);
            }
            long cost = cost(i, r);
            if (cost < bestCost) {
                best = i;
                bestRanges = r;
                bestCost = cost;
            }
        }
        if (best == null) {
            return null;
        }
        boolean element = !bestRanges.ranges().isEmpty()
                && bestRanges.ranges().getFirst()[0].element();
        if (order.byNameOnly() && bestRanges.equalities() && (element || best.paths.size() == 1)) {
            return merged(best, bestRanges);
        }
        return gathered(best, bestRanges);
    }

    /** How many candidates index {@code i} gives for ranges {@code r}: its entries, unless they are equalities. */
    private static long cost(SecondaryIndex i, IndexRanges r) {
        return r.equalities() ? i.count(r.ranges()) : i.entries();
    }

    /** The number of matches, counted in index {@code i}'s entries; -1 when they are not exactly its ranges. */
    private long counted(SecondaryIndex i) {
        IndexRanges r = IndexRanges.of(q.where(), i.paths.getFirst());
        if (r.usable() && r.sole()) {
            return i.count(r.ranges());
        }
        IndexKey[] range = CountRange.of(q.where(), i.paths);
        return range == null ? -1 : i.count(List.<IndexKey[]>of(range));
    }

    /** Whether {@code name}'s current entry is an answer; null when it is not (or is gone). */
    private Entry match(String name) {
        if (!name.startsWith(q.prefix())) {
            return null;
        }
        Entry e = index.current(name);
        return e != null && q.where().matches(e.data()) ? e : null;
    }

    /** Name order: the equality ranges' entries, each in name order, merged by name, as a scan pages. */
    private QueryPage merged(SecondaryIndex i, IndexRanges r) {
        // One range (one value, the usual page) is in name order already: walked as it is, with no queue and no
        // Head per candidate; several are merged by name.
        Iterator<IndexKey> only = null;
        PriorityQueue<Head> heads = null;
        if (r.ranges().size() == 1) {
            IndexKey[] range = r.ranges().getFirst();
            IndexKey from = q.afterName() == null ? range[0] : range[0].withName(q.afterName());
            only = i.range(from, range[1], false).iterator();
        } else {
            heads = new PriorityQueue<>(Comparator.comparing(Head::name, Names.ORDER));
            for (IndexKey[] range : r.ranges()) {
                IndexKey from = q.afterName() == null ? range[0] : range[0].withName(q.afterName());
                Head.push(heads, i.range(from, range[1], false).iterator(), q.afterName());
            }
        }
        List<Map.Entry<String, Entry>> items = new ArrayList<>(Math.min(q.limit(), 256));
        long examined = 0;
        String lastExamined = null;
        while (true) {
            String name;
            if (only != null) {
                if (!only.hasNext()) {
                    break;
                }
                name = only.next().name();
                if (q.afterName() != null && Names.ORDER.compare(name, q.afterName()) <= 0) {
                    continue; // the position itself, not after it
                }
            } else {
                Head h = heads.poll();
                if (h == null) {
                    break;
                }
                name = h.name();
                Head.push(heads, h.rest(), null);
            }
            if (examined == budget) {
                return new QueryPage(items, true, null, lastExamined, -1, examined, seq, i.id);
            }
            examined++;
            lastExamined = name;
            Entry e = match(name);
            if (e != null) {
                if (items.size() == q.limit()) {
                    return new QueryPage(items, true, null, items.getLast().getKey(), -1, examined, seq, i.id);
                }
                items.add(Map.entry(name, e));
            }
        }
        return new QueryPage(items, false, null, q.afterName(), -1, examined, seq, i.id);
    }

    /** Candidates no more than the budget, sorted in memory: by name, or by the order and then name. */
    private QueryPage gathered(SecondaryIndex i, IndexRanges r) {
        Set<String> seen = new HashSet<>();
        List<Map.Entry<String, Entry>> matches = new ArrayList<>();
        long examined = 0;
        for (IndexKey[] range : r.ranges()) {
            for (IndexKey k : i.range(range[0], range[1], false)) {
                if (!seen.add(k.name())) {
                    continue;
                }
                if (examined++ == budget) {
                    return null; // more candidates than the budget: the index does not serve it
                }
                Entry e = match(k.name());
                if (e != null) {
                    matches.add(Map.entry(k.name(), e));
                }
            }
        }
        Order order = q.order();
        Comparator<Map.Entry<String, Entry>> byName = Map.Entry.comparingByKey(Names.ORDER);
        List<Row> rows = new ArrayList<>(matches.size());
        for (Map.Entry<String, Entry> m : matches) {
            rows.add(new Row(
                    m, order.byNameOnly() ? null : order.key(m.getValue().data())));
        }
        Comparator<Row> rowOrder =
                order.byNameOnly() ? Comparator.comparing(Row::app, byName) : Row.byKeyThenName(order);
        rows.sort(rowOrder);
        Row after = q.afterName() == null ? null : Row.position(q.afterName(), q.afterKey());
        List<Map.Entry<String, Entry>> items = new ArrayList<>();
        Row last = null;
        boolean more = false;
        for (Row row : rows) {
            if (after != null && rowOrder.compare(row, after) <= 0) {
                continue;
            }
            if (items.size() == q.limit()) {
                more = true;
                break;
            }
            items.add(row.app());
            last = row;
        }
        return new QueryPage(
                items,
                more,
                more && !order.byNameOnly() ? last.key() : null,
                more ? last.app().getKey() : null,
                -1,
                examined,
                seq,
                i.id);
    }

    /**
     * An order served by index {@code i} (its first pointers are the order's, all in direction {@code down}): walks
     * the index group by group (a group: the entries with equal values at the order's pointers), each group in
     * name order, from the cursor's position, testing each candidate; stops at a full page or at the budget.
     */
    private QueryPage ordered(SecondaryIndex i, boolean down) {
        Order order = q.order();
        int m = order.pointers().size();
        IndexKey[] all = IndexKey.everything(false);
        IndexKey low = all[0];
        IndexKey high = all[1];
        IndexRanges r = IndexRanges.of(q.where(), i.paths.getFirst());
        if (r.usable() && !r.ranges().isEmpty() && !r.ranges().getFirst()[0].element()) {
            low = r.ranges().getFirst()[0];
            high = r.ranges().getLast()[1];
        } else if (r.usable() && r.ranges().isEmpty()) {
            return new QueryPage(List.of(), false, null, null, -1, 0, seq, i.id);
        }
        Row after = null;
        if (q.afterName() != null) {
            after = Row.position(q.afterName(), q.afterKey());
            if (down) {
                high = min(high, IndexKey.bound(q.afterKey(), m, 1));
            } else {
                low = max(low, IndexKey.bound(q.afterKey(), m, -1));
            }
            if (IndexKey.ORDER.compare(low, high) > 0) {
                return new QueryPage(List.of(), false, null, null, -1, 0, seq, i.id);
            }
        }
        Comparator<Row> rowOrder = Row.byKeyThenName(order);
        List<Map.Entry<String, Entry>> items = new ArrayList<>(Math.min(q.limit(), 256));
        long examined = 0;
        Row last = null;
        boolean whole = m == i.paths.size(); // a group's entries differ only by name: in name order already
        Iterator<IndexKey> walk = i.range(low, high, down).iterator();
        while (walk.hasNext()) {
            IndexKey first = walk.next();
            SortKey key = first.sortKey(m);
            Iterator<IndexKey> group;
            if (whole) {
                IndexKey from = IndexKey.bound(key, m, -1);
                if (after != null && order.comparator().compare(key, after.key()) == 0) {
                    from = from.withName(after.app().getKey());
                }
                group = i.range(from, IndexKey.bound(key, m, 1), false).iterator();
            } else {
                List<IndexKey> members = new ArrayList<>();
                for (IndexKey k : i.range(IndexKey.bound(key, m, -1), IndexKey.bound(key, m, 1), false)) {
                    if (members.size() > budget) {
                        return null; // a group too large to sort by name within the budget
                    }
                    members.add(k);
                }
                members.sort(Comparator.comparing(IndexKey::name, Names.ORDER));
                group = members.iterator();
            }
            while (group.hasNext()) {
                IndexKey k = group.next();
                Row row = Row.position(k.name(), key);
                if (after != null && rowOrder.compare(row, after) <= 0) {
                    continue;
                }
                if (examined == budget) {
                    return last == null
                            ? null
                            : new QueryPage(items, true, last.key(), last.app().getKey(), -1, examined, seq, i.id);
                }
                examined++;
                Entry e = match(k.name());
                if (e != null) {
                    if (items.size() == q.limit()) {
                        Map.Entry<String, Entry> lastItem = items.getLast();
                        return new QueryPage(
                                items,
                                true,
                                order.key(lastItem.getValue().data()),
                                lastItem.getKey(),
                                -1,
                                examined,
                                seq,
                                i.id);
                    }
                    items.add(Map.entry(k.name(), e));
                }
                last = row;
            }
            // On past this group: the next one begins after (or, walking down, before) its values.
            walk = down
                    ? i.range(low, IndexKey.bound(key, m, -1), true).iterator()
                    : i.range(IndexKey.bound(key, m, 1), high, false).iterator();
        }
        return new QueryPage(items, false, null, null, -1, examined, seq, i.id);
    }

    private static IndexKey min(IndexKey a, IndexKey b) {
        return IndexKey.ORDER.compare(a, b) <= 0 ? a : b;
    }

    private static IndexKey max(IndexKey a, IndexKey b) {
        return IndexKey.ORDER.compare(a, b) >= 0 ? a : b;
    }
}
