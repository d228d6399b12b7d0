package io.microstore.store.feed;

import java.util.List;

import io.microstore.commit.Commit;

/**
 * Commits read from the feed, in seq order (each with the changes that matched), and {@code lastSeq}: the
 * seq up to which the feed was read (matching or not), to resume from with {@code since=lastSeq}.
 */
public record ChangePage(List<Commit> commits, long lastSeq) {
    /** Whether it holds no change. */
    public boolean isEmpty() {
        return commits.isEmpty();
    }
}
