package io.microstore.commit;

/**
 * One app's change in a {@link Commit}: a put of {@code data} (compact JSON) whose value expires at
 * {@code expires} (epoch milliseconds, 0 = never), or, with {@code data} null, a delete.
 */
public record Change(String name, byte[] data, long expires) {
    public static Change put(String name, byte[] data) {
        return new Change(name, data, 0);
    }

    public static Change put(String name, byte[] data, long expires) {
        return new Change(name, data, expires);
    }

    public static Change delete(String name) {
        return new Change(name, null, 0);
    }

    public boolean isDelete() {
        return data == null;
    }
}
