package io.microstore.persist;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The data directory holds damage that recovery will not cut on its own (anything but a torn last
 * record): microstore refuses to start rather than load a state that may be missing acknowledged
 * writes. The message names the file, the byte offset and the way out.
 */
public final class JournalDamaged extends IOException {
    private final transient Path file;
    private final long offset;
    private final String reason;

    JournalDamaged(Path file, long offset, String reason, String remedy) {
        super(file.getFileName() + " is damaged at byte " + offset + " (" + reason + "). " + remedy);
        this.file = file;
        this.offset = offset;
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }

    public Path file() {
        return file;
    }

    public long offset() {
        return offset;
    }
}
