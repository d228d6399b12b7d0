package io.microstore.store;

import java.util.List;

/** What {@code GET /api/indexes} says of one index: its pointers, {@code building} or {@code ready}, its entries. */
public record IndexInfo(String id, List<String> paths, String state, long entries) {}
