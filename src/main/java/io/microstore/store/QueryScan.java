package io.microstore.store;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

import io.microstore.store.query.Order;

/**
 * One page of a query's answer, by a walk of the name index that examines at most {@code budget} apps
 * ({@code store.query.scan-budget}): in name order the walk stops at a full page or at the budget (the page
 * then resumes after the last app examined); an order keeps the best {@code limit + 1} rows seen (memory
 * O(limit), not O(matches)) and needs every match, so it and a count are refused beyond the budget, with the
 * index that would serve them. Run inside {@link Index#whole}, so it sees no part of a transaction.
 */
final class QueryScan {
    private final Index index;
    private final Query q;
    private final long budget;
    private final long seq;
    private final Scope scope;

    /** Of the apps {@code scope} may read only: the others are neither examined nor counted. */
    QueryScan(Index index, Query q, long budget, long seq, Scope scope) {
        this.scope = scope;
        this.index = index;
        this.q = q;
        this.budget = budget;
        this.seq = seq;
    }

    QueryPage page() {
        return q.order().byNameOnly() ? byName() : ordered();
    }

    private QueryPage byName() {
        List<Map.Entry<String, Entry>> items = new ArrayList<>(Math.min(q.limit(), 256));
        long examined = 0;
        long total = 0;
        String lastExamined = null;
        boolean more = false;
        // A count walks from the start of the prefix; a page alone from its position.
        for (Map.Entry<String, Entry> app : index.from(q.prefix(), q.count() ? null : q.afterName())) {
            String name = app.getKey();
            if (!name.startsWith(q.prefix())) {
                break;
            }
            if (!scope.mayRead(name)) {
                continue;
            }
            if (examined == budget) {
                if (q.count()) {
                    throw indexRequired("counting the matches");
                }
                return new QueryPage(items, true, null, lastExamined, -1, examined, seq);
            }
            examined++;
            lastExamined = name;
            if (!q.where().matches(app.getValue().data())) {
                continue;
            }
            total++;
            if (q.afterName() != null && Names.ORDER.compare(name, q.afterName()) <= 0) {
                continue; // before this page: counted only
            }
            if (items.size() == q.limit()) {
                more = q.limit() > 0; // limit=0 is a count alone, with no next page
                if (!q.count()) {
                    break;
                }
            } else {
                items.add(app);
            }
        }
        String next = more && !items.isEmpty() ? items.getLast().getKey() : q.afterName();
        return new QueryPage(items, more, null, next, q.count() ? total : -1, examined, seq);
    }

    private QueryPage ordered() {
        Comparator<Row> rows = Row.byKeyThenName(q.order());
        // The best limit + 1 rows after the position, the worst on top: memory stays O(limit), not O(matches).
        PriorityQueue<Row> best = new PriorityQueue<>(rows.reversed());
        Row after = q.afterName() == null ? null : Row.position(q.afterName(), q.afterKey());
        long examined = 0;
        long total = 0;
        for (Map.Entry<String, Entry> app : index.from(q.prefix(), null)) {
            if (!app.getKey().startsWith(q.prefix())) {
                break;
            }
            if (!scope.mayRead(app.getKey())) {
                continue;
            }
            if (examined++ == budget) {
                throw indexRequired("ordering by " + q.order().canonical());
            }
            byte[] data = app.getValue().data();
            if (!q.where().matches(data)) {
                continue;
            }
            total++;
            if (q.limit() == 0) {
                continue;
            }
            Row hit = new Row(app, q.order().key(data));
            if (after != null && rows.compare(hit, after) <= 0) {
                continue;
            }
            if (best.size() <= q.limit()) {
                best.add(hit);
            } else if (rows.compare(hit, best.peek()) < 0) {
                best.poll();
                best.add(hit);
            }
        }
        List<Row> sorted = new ArrayList<>(best);
        sorted.sort(rows);
        boolean more = sorted.size() > q.limit();
        List<Map.Entry<String, Entry>> items = new ArrayList<>(Math.min(sorted.size(), q.limit()));
        for (int i = 0; i < Math.min(sorted.size(), q.limit()); i++) {
            items.add(sorted.get(i).app());
        }
        Row last = more ? sorted.get(q.limit() - 1) : null;
        return new QueryPage(
                items,
                more,
                last == null ? null : last.key(),
                last == null ? null : last.app().getKey(),
                q.count() ? total : -1,
                Math.min(examined, budget),
                seq);
    }

    /** The refusal of a query beyond the budget, with the index that would serve it. */
    private IndexRequired indexRequired(String what) {
        Order order = q.order();
        return new IndexRequired(
                what + " needs more than store.query.scan-budget (" + budget + ") apps examined",
                order.byNameOnly() ? null : pathsId(order),
                order.pointers(), // none in name order: the paths the where selector tests
                true);
    }

    private static String pathsId(Order order) {
        String id = order.canonical().replaceAll("[^A-Za-z0-9]+", "-").replaceAll("^-+|-+$", "");
        return id.isEmpty() ? "by-order" : id;
    }
}
