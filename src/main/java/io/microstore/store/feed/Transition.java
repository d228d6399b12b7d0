package io.microstore.store.feed;

/**
 * What a change did to a live query's result set ({@code /api/changes?where}): the app came in, stayed in
 * with a new value, or left it, and why it left: its new value does not match, a client deleted it, or its
 * deadline passed.
 */
public enum Transition {
    ENTER("enter", null),
    UPDATE("update", null),
    UNMATCHED("leave", "unmatched"),
    DELETED("leave", "deleted"),
    EXPIRED("leave", "expired");

    private final String event;
    private final String reason;

    Transition(String event, String reason) {
        this.event = event;
        this.reason = reason;
    }

    /** The word on the wire: {@code enter}, {@code update} or {@code leave} (an SSE event's name too). */
    public String event() {
        return event;
    }

    /** Why it left ({@code unmatched}, {@code deleted}, {@code expired}), or null when it did not. */
    public String reason() {
        return reason;
    }
}
