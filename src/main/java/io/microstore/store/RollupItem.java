package io.microstore.store;

/**
 * An item of a listing rolled up at a delimiter: an app ({@code name} its name, {@code entry} its entry) or a
 * rolled-up prefix ({@code name} the prefix, up to and including the delimiter; {@code entry} null).
 */
public record RollupItem(String name, Entry entry) {
    /** True for a rolled-up prefix, false for an app. */
    public boolean rolledUp() {
        return entry == null;
    }
}
