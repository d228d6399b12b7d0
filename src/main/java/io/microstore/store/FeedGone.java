package io.microstore.store;

/**
 * A client asked for changes after a seq the feed can no longer (or not yet) vouch for: older than
 * the retained window, or ahead of the store. It must re-list and resume from a fresh {@code last_seq}.
 */
public final class FeedGone extends Refusal {
    private final long lastSeq;

    public FeedGone(String message, long lastSeq) {
        super(message);
        this.lastSeq = lastSeq;
    }

    /** The feed's current last seq, to resume from after re-listing. */
    public long lastSeq() {
        return lastSeq;
    }
}
