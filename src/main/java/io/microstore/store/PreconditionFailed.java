package io.microstore.store;

/** A conditional write whose precondition did not hold; nothing was changed. */
public final class PreconditionFailed extends Refusal {
    private final transient Entry current;

    public PreconditionFailed(String name, Entry current) {
        super(
                current == null
                        ? "app '" + name + "' does not exist"
                        : "app '" + name + "' is at version " + current.etag());
        this.current = current;
    }

    /** The app's current ETag, or null when it does not exist. */
    public String currentEtag() {
        return current == null ? null : current.etag();
    }
}
