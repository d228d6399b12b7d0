package io.microstore.persist;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.microstore.commit.CommitStream;

/**
 * Rebuilds the state of a data directory: the newest valid snapshot (an older one if the newest is
 * damaged and the journal still covers the difference), then every journal record after it, checking
 * that each record's CRC holds and its seq is exactly the previous one + 1.
 *
 * <p>A bad record at the very end of the last segment, with no valid record after it, is what a
 * crash in the middle of a write leaves: it is cut off (by {@link Repair}). Damage anywhere else stops
 * start-up with {@link JournalDamaged}; in repair mode the journal is instead cut at the last good
 * record. See {@code package-info.java} for the whole story.
 */
final class Recovery {
    private static final System.Logger LOG = System.getLogger(Recovery.class.getName());
    private static final long PROGRESS_EVERY = 1 << 20;

    private final DataFiles files;
    private final FileOps ops;
    private final boolean repairMode;
    private final CommitStream sink;
    private final Repair repairs;
    private long records;
    private long snapshotApps;

    /**
     * What recovery found: where the journal continues, and how big things are; {@code tornTail}, when
     * not null, is a torn last record that a full disk kept from being cut off yet.
     */
    record Result(
            long lastSeq,
            long snapshotSeq,
            long snapshotBytes,
            long snapshotApps,
            DataFiles.Numbered lastSegment,
            long journalBytes,
            long records,
            List<String> actions,
            Repair.TornTail tornTail) {}

    Recovery(DataFiles files, FileOps ops, boolean repair, CommitStream sink) {
        this.files = files;
        this.repairMode = repair;
        this.sink = sink;
        this.ops = ops;
        this.repairs = new Repair(files, ops);
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
                snapshotApps = Snapshots.load(candidate, sink);
                snapshot = candidate;
                break;
            } catch (JournalDamaged e) {
                sink.reload(); // never keep part of a damaged snapshot
                damaged.add(e);
                LOG.log(System.Logger.Level.WARNING, e.getMessage());
            }
        }
        long snapshotSeq = snapshot == null ? 0 : snapshot.seq();
        if (!damaged.isEmpty()) {
            // Falling back is only right when the journal still holds everything after the older snapshot.
            if (segments.isEmpty() || segments.getFirst().seq() > snapshotSeq + 1) {
                JournalDamaged newest = damaged.getFirst();
                throw new JournalDamaged(
                        newest.file(),
                        newest.offset(),
                        newest.reason() + "; no older snapshot with a complete journal after it exists",
                        "Restore the data directory from a backup.");
            }
            for (JournalDamaged d : damaged) {
                repairs.setAside(
                        d.file(),
                        "set aside damaged snapshot " + d.file().getFileName() + " (" + d.reason()
                                + "); loaded "
                                + (snapshot == null
                                        ? "the journal alone"
                                        : snapshot.path().getFileName())
                                + " instead");
            }
        }
        long snapshotBytes = snapshot == null ? 0 : Files.size(snapshot.path());
        return replay(segments, snapshotSeq, snapshotBytes);
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
        long next = segments.isEmpty()
                ? snapshotSeq + 1
                : Math.min(segments.get(first).seq(), snapshotSeq + 1);
        for (int i = first; i < segments.size(); i++) {
            DataFiles.Numbered segment = segments.get(i);
            boolean last = i == segments.size() - 1;
            if (segment.seq() != next) {
                String problem = "a segment is missing: the journal should continue with seq " + next
                        + " but this segment starts at " + segment.seq();
                if (!repairMode) {
                    throw new JournalDamaged(segment.path(), 0, problem, JournalDamaged.REMEDY);
                }
                repairs.cutAndSetAsideRest(segments, i, 0, problem);
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
                    if (m != null && m.commit().seq() != next) {
                        problem = "seq " + m.commit().seq() + " where " + next + " was expected";
                    }
                    if (problem == null) {
                        next++;
                        if (m.commit().seq() > snapshotSeq) {
                            sink.replayed(m.commit()); // a transaction's record is whole: all of it
                            progress();
                        }
                        continue;
                    }
                    long offset = r.offset();
                    if (last && torn && !validRecordFollows(r)) {
                        repairs.cutTornTail(segment.path(), offset, problem, !repairMode);
                        break;
                    }
                    if (!repairMode) {
                        throw new JournalDamaged(segment.path(), offset, problem, JournalDamaged.REMEDY);
                    }
                    repairs.cutAndSetAsideRest(segments, i, offset, problem);
                    return result(
                            segments.subList(first, offset == 0 ? i : i + 1), next - 1, snapshotSeq, snapshotBytes);
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
        return new Result(
                lastSeq,
                snapshotSeq,
                snapshotBytes,
                snapshotApps,
                lastSegment,
                journalBytes,
                records,
                repairs.actions(),
                repairs.deferred());
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

    private void progress() {
        if (++records % PROGRESS_EVERY == 0) {
            LOG.log(System.Logger.Level.INFO, "replayed " + records + " journal records so far");
        }
    }
}
