package io.microstore.store;

/**
 * A patch worked out ahead of its commit, on the request's thread: over {@code basis} (its app's entry
 * then, null when absent) it gives {@code value}, or {@code refusal}. The engine commits it only while
 * the app is still at that version, so the writer never computes a patch; otherwise it is {@link Stale}.
 */
public record Prepared(Entry basis, byte[] value, RuntimeException refusal) {
    /** Computes {@code patch} over {@code current}. */
    static Prepared compute(Command.Patch patch, Entry current) {
        if (current == null) {
            return new Prepared(null, null, new AppNotFound(patch.name()));
        }
        try {
            return new Prepared(current, patch.change().apply(patch.name(), current), null);
        } catch (RuntimeException refusal) {
            return new Prepared(current, null, refusal);
        }
    }

    /** Whether it was worked out over the version {@code current} (null: absent). */
    public boolean isFor(Entry current) {
        return basis == null ? current == null : current != null && current.seq() == basis.seq();
    }

    /** The new value, or the refusal thrown. */
    byte[] result() {
        if (refusal != null) {
            throw refusal;
        }
        return value;
    }
}
