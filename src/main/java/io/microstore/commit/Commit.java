package io.microstore.commit;

import java.util.List;

/**
 * What one write made durable: its {@code seq} and its changes, one for a single write, each app's for a
 * transaction or an import (all of them share the seq). Engines emit commits, persistence appends them,
 * the index and the changes feed apply them: one commit, one journal record, one seq in the feed.
 */
public record Commit(long seq, List<Change> changes) {
    public Commit {
        changes = List.copyOf(changes);
        if (changes.isEmpty()) {
            throw new IllegalArgumentException("a commit has at least one change");
        }
    }

    /** A commit of one change. */
    public static Commit of(long seq, Change change) {
        return new Commit(seq, List.of(change));
    }

    /** The change of a commit of one change. */
    public Change only() {
        if (changes.size() != 1) {
            throw new IllegalStateException("a commit of " + changes.size() + " changes");
        }
        return changes.getFirst();
    }
}
