package io.microstore.commit;

/**
 * One app's change in a {@link Commit}: a put of {@code data} (compact JSON) whose value expires at
 * {@code expires} (epoch milliseconds, 0 = never), or, with {@code data} null, a delete; {@code expired}
 * marks a delete the engine made because the value's deadline had passed (not a client's DELETE), which
 * a live query reports as its own reason for leaving.
 */
public record Change(String name, byte[] data, long expires, boolean expired) {
    public Change {
        if (expired && data != null) {
            throw new IllegalArgumentException("only a delete expires");
        }
    }

    public Change(String name, byte[] data, long expires) {
        this(name, data, expires, false);
    }

    public static Change put(String name, byte[] data) {
        return new Change(name, data, 0);
    }

    public static Change put(String name, byte[] data, long expires) {
        return new Change(name, data, expires);
    }

    public static Change delete(String name) {
        return new Change(name, null, 0);
    }

    /** The delete the engine makes when {@code name}'s value reaches its deadline. */
    public static Change expiry(String name) {
        return new Change(name, null, 0, true);
    }

    public boolean isDelete() {
        return data == null;
    }
}
