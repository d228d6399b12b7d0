package io.microstore.local;

import java.util.Locale;

/** When the writer forces written records to stable storage before acknowledging them. */
public enum FsyncPolicy {
    /** Sync every batch before acknowledging it: acknowledged writes survive power loss. */
    ALWAYS,
    /** Acknowledge after write(); sync on a timer: acknowledged writes survive a process crash. */
    INTERVAL,
    /** Never sync explicitly; the OS writes back when it likes: survives a process crash only. */
    NEVER;

    /** Parses {@code always|interval|never}, case-insensitively. */
    public static FsyncPolicy parse(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("fsync must be always, interval or never, not '" + value + "'");
        }
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
