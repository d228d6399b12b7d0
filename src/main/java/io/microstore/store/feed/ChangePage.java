package io.microstore.store.feed;

import java.util.List;

import io.microstore.commit.Commit;

/**
 * Commits read from the feed, in seq order (each with the changes that matched), and {@code lastSeq}: the
 * seq up to which the feed was read (matching or not), to resume from with {@code since=lastSeq}.
 * {@code places} says where each change of a commit that lost some of its changes (to a prefix, a live
 * query, or a resume inside it) stood in the whole commit: null for a commit read whole, or when no commit
 * lost any. {@code transitions}, for a live query's read only (else null), says per commit what each of its
 * changes did to the query's result set.
 */
public record ChangePage(List<Commit> commits, long lastSeq, List<int[]> places, List<Transition[]> transitions) {
    public ChangePage(List<Commit> commits, long lastSeq) {
        this(commits, lastSeq, null, null);
    }

    public ChangePage(List<Commit> commits, long lastSeq, List<int[]> places) {
        this(commits, lastSeq, places, null);
    }

    /** Whether it holds no change. */
    public boolean isEmpty() {
        return commits.isEmpty();
    }

    /**
     * Where change {@code change} of the page's commit {@code commit} stands in the whole commit it came
     * from (from 0): what a position inside that commit counts ({@link FeedPosition#change}).
     */
    public int place(int commit, int change) {
        int[] of = places == null ? null : places.get(commit);
        return of == null ? change : of[change];
    }

    /** What change {@code change} of commit {@code commit} did to the live query read, or null for a plain read. */
    public Transition transition(int commit, int change) {
        return transitions == null ? null : transitions.get(commit)[change];
    }
}
