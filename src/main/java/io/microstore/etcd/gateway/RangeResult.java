package io.microstore.etcd.gateway;

import java.util.List;

/**
 * The keys a range read found, at store revision {@code revision}; {@code more} says the limit cut the
 * answer short, {@code count} is how many keys the whole range holds.
 */
public record RangeResult(List<KeyValue> kvs, long revision, boolean more, long count) {}
