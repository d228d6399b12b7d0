package io.microstore.store;

/** Too many clients are waiting on the feed already ({@code store.changes.max-subscribers}). */
public final class FeedBusy extends Refusal {
    public FeedBusy(int max) {
        super("too many clients are watching changes (store.changes.max-subscribers = " + max + "); retry later");
    }
}
