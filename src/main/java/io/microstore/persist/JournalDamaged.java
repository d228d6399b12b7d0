package io.microstore.persist;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The data directory holds damage that recovery will not cut on its own (anything but a torn last
 * record): microstore refuses to start rather than load a state that may be missing acknowledged
 * writes. The message names the file, the byte offset and the way out.
 */
public final class JournalDamaged extends IOException {
    /** The way out of damage that only a person can decide to cut. */
    static final String REMEDY = "microstore will not start on a damaged journal, because acknowledged "
            + "writes after this point could be lost. Run once with --repair to keep the damaged file aside and "
            + "cut the journal at its last good record, or restore the directory from a backup.";

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
