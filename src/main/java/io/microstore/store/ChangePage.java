package io.microstore.store;

import java.util.List;

/**
 * Changes read from the feed, in seq order, and {@code lastSeq}: the seq up to which the feed was
 * read (matching or not), to resume from with {@code since=lastSeq}.
 */
public record ChangePage(List<Mutation> changes, long lastSeq) {
}
