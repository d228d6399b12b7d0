package io.microstore.store.feed;

/** Too many clients are waiting on the feed already ({@code store.changes.max-subscribers}). */
public final class FeedBusy extends RuntimeException {
    public FeedBusy(int max) {
        super("too many clients are watching changes (store.changes.max-subscribers = " + max + "); retry later");
    }
}
