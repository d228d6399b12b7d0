package io.microstore.store;

import java.util.List;
import java.util.Map;

/** One page of a listing in name order; {@code more} is true when names after the last one match too. */
public record Page(List<Map.Entry<String, Entry>> items, boolean more) {}
