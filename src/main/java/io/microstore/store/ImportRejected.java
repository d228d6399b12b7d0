package io.microstore.store;

import java.util.List;

/**
 * An import that was refused as a whole, before anything was written: bad content, or names that
 * exist already when overwriting was not asked for.
 */
public final class ImportRejected extends Refusal {
    private final transient List<String> conflicts;

    public ImportRejected(String message, List<String> conflicts) {
        super(message);
        this.conflicts = List.copyOf(conflicts);
    }

    /** Names that exist already (empty when the content was bad). */
    public List<String> conflicts() {
        return conflicts;
    }
}
