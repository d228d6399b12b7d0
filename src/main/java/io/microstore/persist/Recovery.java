package io.microstore.persist;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;


/**
 * Rebuilds the state of a data directory: the newest valid snapshot (an older one if the newest is
 * damaged and the journal still covers the difference), then every journal record after it, checking
 * that each record's CRC holds and its seq is exactly the previous one + 1.
 *
 * <p>A bad record at the very end of the last segment, with no valid record after it, is what a
 * crash in the middle of a write leaves: it is cut off, its bytes kept in a {@code .broken} file,
 * with a warning. Damage anywhere else stops start-up with {@link JournalDamaged}; in repair mode the
 * journal is instead cut at the last good record, with the damaged original kept aside.
 */
final class Recovery {
    private static final System.Logger LOG = System.getLogger(Recovery.class.getName());
    private static final String REMEDY = "microstore will not start on a damaged journal, because acknowledged "
            + "writes after this point could be lost. Run once with --repair to keep the damaged file aside and "
            + "cut the journal at its last good record, or restore the directory from a backup.";
    private static final long PROGRESS_EVERY = 1 << 20;

    private final DataFiles files;
    private final FileOps ops;
    private final boolean repair;
    private final Persistence.RecoverySink sink;
    private final List<String> actions = new ArrayList<>();
    private long records;
    private long snapshotApps;

    /** What recovery found: where the journal continues, and how big things are. */
    record Result(long lastSeq, long snapshotSeq, long snapshotBytes, long snapshotApps, DataFiles.Numbered lastSegment,
                  long journalBytes, long records, List<String> actions) {
    }

    Recovery(DataFiles files, FileOps ops, boolean repair, Persistence.RecoverySink sink) {
        this.files = files;
        this.ops = ops;
        this.repair = repair;
        this.sink = sink;
    }

    Result run() throws IOException {
        for (Path tmp : files.withSuffix(".tmp")) {
            ops.delete(tmp);
        }
        List<DataFiles.Numbered> segments = files.segments();
        DataFiles.Numbered snapshot = null;
        List<JournalDamaged> damaged = new ArrayList<>();
        for (DataFiles.Numbered candidate : files.snapshots()) {
            try {
                loadSnapshot(candidate);
                snapshot = candidate;
                break;
            } catch (JournalDamaged e) {
                sink.reset(); // never keep part of a damaged snapshot
                damaged.add(e);
                LOG.log(System.Logger.Level.WARNING, e.getMessage());
            }
        }
        long snapshotSeq = snapshot == null ? 0 : snapshot.seq();
        if (!damaged.isEmpty()) {
            // Falling back is only right when the journal still holds everything after the older snapshot.
            if (segments.isEmpty() || segments.getFirst().seq() > snapshotSeq + 1) {
                JournalDamaged newest = damaged.getFirst();
                throw new JournalDamaged(newest.file(), newest.offset(), newest.reason()
                        + "; no older snapshot with a complete journal after it exists",
                        "Restore the data directory from a backup.");
            }
            for (JournalDamaged d : damaged) {
                setAside(d.file(), "set aside damaged snapshot " + d.file().getFileName() + " (" + d.reason()
                        + "); loaded " + (snapshot == null ? "the journal alone" : snapshot.path().getFileName())
                        + " instead");
            }
        }
        long snapshotBytes = snapshot == null ? 0 : Files.size(snapshot.path());
        return replay(segments, snapshotSeq, snapshotBytes);
    }

    private void loadSnapshot(DataFiles.Numbered snapshot) throws IOException {
        Path path = snapshot.path();
        try (LineReader r = new LineReader(path)) {
            if (!r.next() || !r.complete()) {
                throw new JournalDamaged(path, 0, "no header line", REMEDY);
            }
            long seq = decode(path, r, Records::decodeHeader);
            if (seq != snapshot.seq()) {
                throw new JournalDamaged(path, 0, "its header says seq " + seq, REMEDY);
            }
            long count = 0;
            while (r.next()) {
                if (!r.complete()) {
                    throw new JournalDamaged(path, r.offset(), "incomplete last line", REMEDY);
                }
                long footer = decode(path, r, Records::decodeFooter);
                if (footer >= 0) {
                    if (footer != count) {
                        throw new JournalDamaged(path, r.offset(), "its footer counts " + footer + " apps, but "
                                + count + " precede it", REMEDY);
                    }
                    if (r.next()) {
                        throw new JournalDamaged(path, r.offset(), "data after the footer", REMEDY);
                    }
                    snapshotApps = count;
                    return;
                }
                JournalRecord m = decode(path, r, Records::decode);
                if (m.data() == null) {
                    throw new JournalDamaged(path, r.offset(), "a delete record in a snapshot", REMEDY);
                }
                sink.restore(m.name(), m.data(), m.seq());
                count++;
            }
            throw new JournalDamaged(path, Files.size(path), "no footer: the snapshot is cut short", REMEDY);
        }
    }

    /**
     * Replays the segments that hold records after {@code snapshotSeq}. Every record, also those the
     * snapshot covers, must carry exactly the seq after the one before it, from the first segment's
     * name on; only those after {@code snapshotSeq} are replayed.
     */
    private Result replay(List<DataFiles.Numbered> segments, long snapshotSeq, long snapshotBytes) throws IOException {
        int first = 0;
        while (first + 1 < segments.size() && segments.get(first + 1).seq() <= snapshotSeq + 1) {
            first++; // every record of segments.get(first) is in the snapshot already
        }
        long next = segments.isEmpty() ? snapshotSeq + 1 : Math.min(segments.get(first).seq(), snapshotSeq + 1);
        for (int i = first; i < segments.size(); i++) {
            DataFiles.Numbered segment = segments.get(i);
            boolean last = i == segments.size() - 1;
            if (segment.seq() != next) {
                String problem = "a segment is missing: the journal should continue with seq " + next
                        + " but this segment starts at " + segment.seq();
                if (!repair) {
                    throw new JournalDamaged(segment.path(), 0, problem, REMEDY);
                }
                cutAndSetAsideRest(segments, i, 0, problem);
                return result(segments.subList(first, i), next - 1, snapshotSeq, snapshotBytes);
            }
            try (LineReader r = new LineReader(segment.path())) {
                while (r.next()) {
                    String problem = null;
                    JournalRecord m = null;
                    if (!r.complete()) {
                        problem = "incomplete last record";
                    } else {
                        try {
                            m = Records.decode(r.buffer(), r.from(), r.to());
                        } catch (BadRecord e) {
                            problem = e.getMessage();
                        }
                    }
                    boolean torn = problem != null;
                    if (m != null && m.seq() != next) {
                        problem = "seq " + m.seq() + " where " + next + " was expected";
                    }
                    if (problem == null) {
                        next++;
                        if (m.seq() > snapshotSeq) {
                            sink.replay(m.seq(), m.name(), m.data());
                            progress();
                        }
                        continue;
                    }
                    long offset = r.offset();
                    if (last && torn && !validRecordFollows(r)) {
                        cutTornTail(segment.path(), offset, problem);
                        break;
                    }
                    if (!repair) {
                        throw new JournalDamaged(segment.path(), offset, problem, REMEDY);
                    }
                    cutAndSetAsideRest(segments, i, offset, problem);
                    return result(segments.subList(first, offset == 0 ? i : i + 1), next - 1, snapshotSeq,
                            snapshotBytes);
                }
            }
        }
        return result(segments.subList(first, segments.size()), next - 1, snapshotSeq, snapshotBytes);
    }

    private Result result(List<DataFiles.Numbered> kept, long lastSeq, long snapshotSeq, long snapshotBytes)
            throws IOException {
        long journalBytes = 0;
        for (DataFiles.Numbered segment : kept) {
            journalBytes += Files.size(segment.path());
        }
        DataFiles.Numbered lastSegment = kept.isEmpty() ? null : kept.getLast();
        return new Result(lastSeq, snapshotSeq, snapshotBytes, snapshotApps, lastSegment, journalBytes, records,
                List.copyOf(actions));
    }

    /**
     * After a bad line: does a complete, valid record follow it? Then this is damage, not a torn write,
     * which only ever leaves a prefix of what was written. A valid record may also end the bad line
     * itself, when the damage hit the LF before it.
     */
    private static boolean validRecordFollows(LineReader r) throws IOException {
        byte[] line = r.buffer();
        for (int at = r.from() + 1; r.complete() && at < r.to(); at++) {
            if (Records.startsRecord(line, at, r.to())) {
                try {
                    Records.decode(line, at, r.to());
                    return true;
                } catch (BadRecord e) {
                    // not a record boundary
                }
            }
        }
        while (r.next()) {
            if (r.complete()) {
                try {
                    Records.decode(r.buffer(), r.from(), r.to());
                    return true;
                } catch (BadRecord e) {
                    // keep looking
                }
            }
        }
        return false;
    }

    /** A torn last write: keep its bytes in a .broken file, cut them off, and go on. */
    private void cutTornTail(Path segment, long offset, String problem) throws IOException {
        long size = Files.size(segment);
        Path broken = files.broken(segment);
        try (FileChannel in = FileChannel.open(segment, StandardOpenOption.READ);
             FileChannel out = ops.open(broken, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer tail = ByteBuffer.allocate((int) Math.min(size - offset, Integer.MAX_VALUE - 8));
            in.read(tail, offset);
            tail.flip();
            ops.write(out, tail);
            ops.force(out);
        }
        truncate(segment, offset);
        String action = "cut a torn record off the end of " + segment.getFileName() + ": " + (size - offset)
                + " bytes from byte " + offset + " (" + problem + "), kept in " + broken.getFileName();
        LOG.log(System.Logger.Level.WARNING, action);
        actions.add(action);
    }

    /**
     * --repair: keep the damaged segment aside, cut it at {@code offset} (or set it aside whole when
     * nothing before the damage is good), and set aside every later segment.
     */
    private void cutAndSetAsideRest(List<DataFiles.Numbered> segments, int index, long offset, String problem)
            throws IOException {
        for (DataFiles.Numbered later : segments.subList(index + 1, segments.size())) {
            setAside(later.path(), "set aside " + later.path().getFileName() + ", which comes after the damage");
        }
        Path segment = segments.get(index).path();
        if (offset == 0) {
            setAside(segment, "set aside " + segment.getFileName() + " (" + problem + ")");
            return;
        }
        Path original = files.broken(segment);
        Files.copy(segment, original, StandardCopyOption.COPY_ATTRIBUTES);
        try (FileChannel copy = ops.open(original, StandardOpenOption.WRITE)) {
            ops.force(copy);
        }
        truncate(segment, offset);
        actions.add("cut " + segment.getFileName() + " at byte " + offset + " (" + problem + "); the original is kept as "
                + original.getFileName());
    }

    private void truncate(Path file, long size) throws IOException {
        try (FileChannel channel = ops.open(file, StandardOpenOption.WRITE)) {
            ops.truncate(channel, size);
            ops.force(channel);
        }
        ops.syncDirectory(files.dir());
    }

    private void setAside(Path file, String action) throws IOException {
        ops.move(file, files.broken(file));
        ops.syncDirectory(files.dir());
        LOG.log(System.Logger.Level.WARNING, action);
        actions.add(action);
    }

    private void progress() {
        if (++records % PROGRESS_EVERY == 0) {
            LOG.log(System.Logger.Level.INFO, "replayed " + records + " journal records so far");
        }
    }

    /** Decodes the current line, turning a bad record into damage at the line's offset. */
    private static <T> T decode(Path path, LineReader r, Decoder<T> decoder) throws JournalDamaged {
        try {
            return decoder.decode(r.buffer(), r.from(), r.to());
        } catch (BadRecord e) {
            throw new JournalDamaged(path, r.offset(), e.getMessage(), REMEDY);
        }
    }

    @FunctionalInterface
    private interface Decoder<T> {
        T decode(byte[] line, int from, int to) throws BadRecord;
    }
}
