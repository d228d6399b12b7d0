package io.microstore.persist;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * The journal's segment files (format and lifecycle in {@code package-info.java}): the one open for
 * appending, starting a new one at a compaction cut, and deleting those a snapshot covers. The engine's
 * writer calls it one call at a time, except {@link #deleteCovered}, which the compaction thread calls too.
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

    /**
     * Opens {@code last}, the newest segment that recovery kept, to append at byte {@code end} (its
     * size, or where a torn tail starts that is still to be cut off).
     */
    void openForAppend(DataFiles.Numbered last, long end) throws IOException {
        current = ops.open(last.path(), StandardOpenOption.WRITE);
        current.position(end);
        firstSeq = last.seq();
    }

    /**
     * Starts a new, empty segment and makes its existence durable. If that fails the new file is
     * deleted again, so that a later attempt can create it (after a lack of space, say).
     */
    void start(long first) throws IOException {
        Path path = files.segment(first);
        FileChannel created = ops.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try {
            ops.force(created);
            ops.syncDirectory(files.dir());
        } catch (IOException e) {
            created.close();
            ops.delete(path); // empty: it holds nothing that was acknowledged
            throw OutOfSpace.of("a new journal segment " + path.getFileName(), e);
        }
        current = created;
        firstSeq = first;
    }

    /** After {@link #finish} and a failed {@link #start}: appends go on at the end of the segment just finished. */
    void resume() throws IOException {
        Path path = files.segment(firstSeq);
        current = ops.open(path, StandardOpenOption.WRITE);
        current.position(current.size());
    }

    /**
     * Appends all of {@code records} to the current segment; durable only after {@link #force}. A write
     * that fails for lack of space may have appended part of them: those bytes are cut off again (and
     * the cut synced, so a crash cannot bring back a record whose writer was told it failed), and the
     * write ends with {@link OutOfSpace}. If the cut fails too, that error is thrown: fail-stop.
     */
    void write(ByteBuffer records) throws IOException {
        long start = current.position();
        int bytes = records.remaining();
        try {
            ops.write(current, records);
        } catch (IOException e) {
            if (!OutOfSpace.causedBy(e)) {
                throw e;
            }
            ops.truncate(current, start);
            current.position(start);
            ops.force(current);
            throw OutOfSpace.of(bytes + " bytes of journal records", e);
        }
    }

    void force() throws IOException {
        if (current != null) { // null: a full disk kept the first segment from being created; nothing to sync
            ops.force(current);
        }
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
