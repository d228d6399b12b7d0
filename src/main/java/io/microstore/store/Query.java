package io.microstore.store;

import io.microstore.store.query.Order;
import io.microstore.store.query.Selector;
import io.microstore.store.query.SortKey;

/**
 * What a query asks: the apps under {@code prefix} that {@code where} matches, in {@code order} (then by
 * name), those after the position ({@code afterKey}, {@code afterName}; both null for the start, the key
 * null in name order), at most {@code limit} (0 with {@code count} for a count alone); {@code count} asks
 * for every match counted.
 */
public record Query(
        String prefix, Selector where, Order order, SortKey afterKey, String afterName, int limit, boolean count) {}
