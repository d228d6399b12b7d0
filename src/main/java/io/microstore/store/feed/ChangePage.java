package io.microstore.store.feed;

import java.util.List;

import io.microstore.store.Mutation;

/**
 * Changes read from the feed, in seq order, and {@code lastSeq}: the seq up to which the feed was
 * read (matching or not), to resume from with {@code since=lastSeq}.
 */
public record ChangePage(List<Mutation> changes, long lastSeq) {
}
