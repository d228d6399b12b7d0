package io.microstore.store;

import java.util.Map;

import io.microstore.store.query.SortKey;

/** A match of an ordered query: its app and its sort key, kept while the best rows are chosen. */
record Hit(Map.Entry<String, Entry> app, SortKey key) {}
