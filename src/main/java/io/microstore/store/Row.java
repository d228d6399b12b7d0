package io.microstore.store;

import java.util.Map;

import io.microstore.store.query.SortKey;

/** An app and its sort key (null in name order), as the {@link Planner} sorts and positions rows. */
record Row(Map.Entry<String, Entry> app, SortKey key) {}
