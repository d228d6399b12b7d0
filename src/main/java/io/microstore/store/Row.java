package io.microstore.store;

import java.util.Comparator;
import java.util.Map;

import io.microstore.store.query.Order;
import io.microstore.store.query.SortKey;

/**
 * An app and its sort key (null in name order), as a query sorts and positions rows: the scan keeps the best rows
 * of an order with them, the {@link Planner} sorts and walks an index's candidates.
 */
record Row(Map.Entry<String, Entry> app, SortKey key) {
    /** The value of a row that is only a position: it is compared, never answered. */
    private static final Entry NO_VALUE = new Entry(new byte[0], 0);

    /** Rows of an ordered query: by key in {@code order}, ties by name, so that every row has one place. */
    static Comparator<Row> byKeyThenName(Order order) {
        return Comparator.comparing(Row::key, order.comparator())
                .thenComparing(r -> r.app().getKey(), Names.ORDER);
    }

    /** A position among rows (a cursor's, or an index entry's before its app is read): a name and a key. */
    static Row position(String name, SortKey key) {
        return new Row(Map.entry(name, NO_VALUE), key);
    }
}
