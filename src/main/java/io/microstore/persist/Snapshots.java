package io.microstore.persist;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import io.microstore.commit.Change;
import io.microstore.commit.CommitStream;

/**
 * The snapshot files, written and read here (format and lifecycle in {@code package-info.java}).
 * {@link #write} runs on the compaction thread while writes go on; {@link #load} runs at start.
 */
final class Snapshots {
    private static final int CHUNK = 1 << 20;

    private final DataFiles files;
    private final FileOps ops;

    /** What a snapshot holds: how many apps, and its size in bytes. */
    record Written(long apps, long bytes) {}

    /** Makes the journal durable up to its end: {@link #write} calls it before the snapshot counts. */
    @FunctionalInterface
    interface JournalSync {
        void sync() throws IOException;
    }

    Snapshots(DataFiles files, FileOps ops) {
        this.files = files;
        this.ops = ops;
    }

    /**
     * Writes {@code snapshot-seq.jsonl} from {@code state}, which may already hold changes after
     * {@code seq} (a fuzzy view), so the order is: write and fsync the tmp file, sync the journal
     * (what the snapshot holds beyond seq must be durable there first), rename the tmp file into
     * place, fsync the directory. Only after that may the caller delete what the snapshot covers.
     */
    Written write(long seq, SnapshotSource state, JournalSync journal) throws IOException {
        Path target = files.snapshot(seq);
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        long[] apps = {0};
        long[] bytes = {0};
        try (FileChannel out = ops.open(
                tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            RecordBuffer buf = new RecordBuffer(CHUNK);
            Records.encodeHeader(buf, seq);
            state.forEachApp((name, data, appSeq, expires) -> {
                Records.encode(buf, appSeq, Change.put(name, data, expires));
                apps[0]++;
                if (buf.size() >= CHUNK) {
                    bytes[0] += buf.size();
                    ops.write(out, buf.view());
                    buf.reset();
                }
            });
            Records.encodeFooter(buf, apps[0]);
            bytes[0] += buf.size();
            ops.write(out, buf.view());
            ops.force(out);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        try {
            journal.sync();
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        try {
            ops.move(tmp, target);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        ops.syncDirectory(files.dir());
        return new Written(apps[0], bytes[0]);
    }

    /** Deletes the snapshots older than {@code seq}; the caller syncs the directory. */
    void deleteOlder(long seq) throws IOException {
        for (DataFiles.Numbered snapshot : files.snapshots()) {
            if (snapshot.seq() < seq) {
                ops.delete(snapshot.path());
            }
        }
    }

    /**
     * Reads {@code snapshot} into {@code sink}, checking its header, every record and the footer's
     * count; a snapshot that fails any check is {@link JournalDamaged}, and the sink may then hold
     * part of it.
     *
     * @return the number of apps it holds
     */
    static long load(DataFiles.Numbered snapshot, CommitStream sink) throws IOException {
        Path path = snapshot.path();
        try (LineReader r = new LineReader(path)) {
            if (!r.next() || !r.complete()) {
                throw damaged(path, 0, "no header line");
            }
            long seq = decode(path, r, Records::decodeHeader);
            if (seq != snapshot.seq()) {
                throw damaged(path, 0, "its header says seq " + seq);
            }
            long count = 0;
            while (r.next()) {
                if (!r.complete()) {
                    throw damaged(path, r.offset(), "incomplete last line");
                }
                long footer = decode(path, r, Records::decodeFooter);
                if (footer >= 0) {
                    if (footer != count) {
                        throw damaged(
                                path,
                                r.offset(),
                                "its footer counts " + footer + " apps, but " + count + " precede it");
                    }
                    if (r.next()) {
                        throw damaged(path, r.offset(), "data after the footer");
                    }
                    return count;
                }
                JournalRecord m = decode(path, r, Records::decode);
                if (m.txn()) {
                    throw damaged(path, r.offset(), "a transaction record in a snapshot");
                }
                Change app = m.change();
                if (app.isDelete()) {
                    throw damaged(path, r.offset(), "a delete record in a snapshot");
                }
                sink.restore(app.name(), app.data(), m.commit().seq(), app.expires());
                count++;
            }
            throw damaged(path, Files.size(path), "no footer: the snapshot is cut short");
        }
    }

    private static JournalDamaged damaged(Path path, long offset, String reason) {
        return new JournalDamaged(path, offset, reason, JournalDamaged.REMEDY);
    }

    /** Decodes the current line, turning a bad record into damage at the line's offset. */
    private static <T> T decode(Path path, LineReader r, Decoder<T> decoder) throws JournalDamaged {
        try {
            return decoder.decode(r.buffer(), r.from(), r.to());
        } catch (BadRecord e) {
            throw damaged(path, r.offset(), e.getMessage());
        }
    }

    @FunctionalInterface
    private interface Decoder<T> {
        T decode(byte[] line, int from, int to) throws BadRecord;
    }
}
