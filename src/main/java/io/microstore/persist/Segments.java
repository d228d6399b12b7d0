package io.microstore.persist;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * The journal's segment files (format and lifecycle in {@code package-info.java}): the one open for
 * appending, starting a new one at a compaction cut, and deleting those a snapshot covers. Only the
 * writer thread calls it, except {@link #deleteCovered}, which the compaction thread calls too.
 */
final class Segments {
    private final DataFiles files;
    private final FileOps ops;
    private FileChannel current;
    private long firstSeq; // of the current segment

    Segments(DataFiles files, FileOps ops) {
        this.files = files;
        this.ops = ops;
    }

    /** Opens {@code last}, the newest segment that recovery kept, to append at its end. */
    void openForAppend(DataFiles.Numbered last) throws IOException {
        current = ops.open(last.path(), StandardOpenOption.WRITE);
        current.position(current.size());
        firstSeq = last.seq();
    }

    /** Starts a new, empty segment and makes its existence durable. */
    void start(long first) throws IOException {
        current = ops.open(files.segment(first), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        firstSeq = first;
        ops.force(current);
        ops.syncDirectory(files.dir());
    }

    /** Appends all of {@code records} to the current segment; durable only after {@link #force}. */
    void write(ByteBuffer records) throws IOException {
        ops.write(current, records);
    }

    void force() throws IOException {
        ops.force(current);
    }

    /** The current segment, which a compaction syncs before its snapshot counts. */
    FileChannel current() {
        return current;
    }

    /** True when the current segment holds records up to {@code seq}, so a cut at seq must end it. */
    boolean holds(long seq) {
        return firstSeq <= seq;
    }

    /** Syncs and closes the current segment at a compaction cut; {@link #start} the next one after it. */
    void finish() throws IOException {
        ops.force(current);
        current.close();
    }

    /** Deletes the segments whose records are all at or before {@code seq}; the caller syncs the directory. */
    void deleteCovered(long seq) throws IOException {
        List<DataFiles.Numbered> segments = files.segments();
        for (int i = 0; i + 1 < segments.size() && segments.get(i + 1).seq() <= seq + 1; i++) {
            ops.delete(segments.get(i).path());
        }
    }

    /** Closes the current segment, syncing it first unless {@code sync} is false (after a failure). */
    void close(boolean sync) throws IOException {
        if (current != null && current.isOpen()) {
            if (sync) {
                ops.force(current);
            }
            current.close();
        }
    }
}
