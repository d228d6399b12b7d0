package io.microstore.persist;

import java.io.IOException;

/**
 * A write found the data directory's filesystem full (ENOSPC) or the user's disk quota used up (EDQUOT).
 * When the journal throws it, what the write had appended is cut off again: the files are as they were
 * before it, so the store may go on and try again once there is room (unlike after a failed fsync).
 */
public final class OutOfSpace extends IOException {
    /** Java reports both errors only as an IOException carrying the operating system's message. */
    private static final String[] MESSAGES = {"No space left on device", "Disk quota exceeded"};

    public OutOfSpace(String message, Throwable cause) {
        super(message, cause);
    }

    /** The one place that recognises a lack of space: {@code failure} or one of its causes says so. */
    public static boolean causedBy(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof OutOfSpace) {
                return true;
            }
            String message = t.getMessage();
            if (message != null) {
                for (String m : MESSAGES) {
                    if (message.contains(m)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** {@code failure} as an OutOfSpace about {@code what}, or {@code failure} itself when it is another error. */
    static IOException of(String what, IOException failure) {
        if (failure instanceof OutOfSpace || !causedBy(failure)) {
            return failure;
        }
        return new OutOfSpace("no space left for " + what + ": " + failure.getMessage(), failure);
    }
}
