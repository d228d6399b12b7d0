package io.microstore.store.feed;

/**
 * Where a client of the feed is: after every change of seq {@code seq} ({@code change} is -1), or inside
 * the commit of {@code seq}, after its change number {@code change} (from 0): an SSE stream's event of a
 * transaction other than its last points there, so that a client cut off among a transaction's events
 * resumes with the rest of them, none twice.
 */
public record FeedPosition(long seq, int change) {
    /** After every change of {@code seq}. */
    public static FeedPosition after(long seq) {
        return new FeedPosition(seq, -1);
    }

    public FeedPosition {
        if (seq < 0 || change < -1 || change >= 0 && seq == 0) {
            throw new IllegalArgumentException("no feed position " + seq + "." + change);
        }
    }

    /** Whether it points inside the commit of {@link #seq}, not after all of it. */
    public boolean inside() {
        return change >= 0;
    }
}
