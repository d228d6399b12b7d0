package io.microstore.store.feed;

import io.microstore.commit.Change;
import io.microstore.commit.Commit;
import io.microstore.store.Entry;

/**
 * A commit as the changes feed's window keeps it, with the index entries its changes replaced (its priors,
 * what a live query compares with; null where the app was absent or the prior is unknown). A commit of one
 * change, nearly every one, is kept as one object ({@link RetainedChange}): the window keeps 100,000 commits
 * through young collections, and the objects per commit it kept (the commit, its list, the change, the
 * priors and their array) were what those collections copied, doubling a PUT's p99 at 1M apps.
 */
sealed interface Retained permits RetainedChange, RetainedCommit {
    /** The one change of {@code commit} kept as one object; a commit of several kept as it is. */
    static Retained of(Commit commit, Entry[] priors) {
        if (commit.changes().size() > 1) {
            return new RetainedCommit(commit, priors);
        }
        Change change = commit.only();
        return new RetainedChange(
                commit.seq(),
                change.name(),
                change.data(),
                change.expires(),
                change.expired(),
                priors == null ? null : priors[0]);
    }

    long seq();

    /** The commit (a commit of one change is made again on each call). */
    Commit commit();

    /** How many changes the commit has. */
    int size();

    /** Change number {@code i} (from 0; made again on each call for a commit of one change). */
    Change change(int i);

    /** The name change number {@code i} wrote, without making the change. */
    String name(int i);

    /** The value change number {@code i} wrote (null: a delete), without making the change. */
    byte[] data(int i);

    /** The entry change number {@code i} replaced: null when the app was absent or the prior is unknown. */
    Entry prior(int i);

    /** The bytes of the values the commit wrote. */
    default long bytes() {
        long bytes = 0;
        for (int i = 0; i < size(); i++) {
            byte[] data = data(i);
            bytes += data == null ? 0 : data.length;
        }
        return bytes;
    }
}
