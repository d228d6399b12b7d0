package io.microstore.persist;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;


/**
 * Persistence in a data directory: an append-only journal of {@link Records} in segments, compacted
 * into snapshots (layout in {@link DataFiles}).
 *
 * <p>The store's worker is the only thread that appends, syncs and rolls segments. A compaction cuts
 * the journal at seq S on the worker (sync the segment, start {@code journal-(S+1)}, sync the
 * directory), then writes {@code snapshot-S.jsonl.tmp} on its own thread from the live index while
 * writes go on. The index may by then hold changes after S, all durable in the journal already except
 * (with fsync interval/never) the newest, so the journal is synced before the snapshot counts: fsync
 * the snapshot, sync the journal, rename it into place, sync the directory, and only then delete the
 * segments and snapshots it covers. Replaying records after S over such a "fuzzy" snapshot gives the
 * exact state, because each record sets or removes a whole value (as in ZooKeeper).
 */
public final class JournalPersistence implements Persistence {
    private static final System.Logger LOG = System.getLogger(JournalPersistence.class.getName());
    private static final int BUFFER_BYTES = 64 << 10;
    private static final long RETRY_NANOS = Duration.ofSeconds(30).toNanos();

    private final JournalConfig config;
    private final DataFiles files;
    private final FileOps ops;
    private final DirectoryLock lock;
    // Owned by the worker thread.
    private RecordBuffer buffer = new RecordBuffer(BUFFER_BYTES);
    private FileChannel segment;
    private long segmentFirstSeq;
    private long lastSeq;
    private long addedSeq; // of the last record added and not yet written
    // Shared with the compaction thread.
    private final AtomicLong journalBytes = new AtomicLong();
    private volatile long snapshotSeq;
    private volatile long snapshotBytes;
    private volatile long snapshotApps;
    private volatile CompletableFuture<Compaction> running;
    private volatile IOException failure;
    private volatile long retryAfterNanos;
    private final AtomicLong compactions = new AtomicLong();

    private JournalPersistence(JournalConfig config, DirectoryLock lock) {
        this.config = config;
        this.files = new DataFiles(config.dir());
        this.ops = config.ops();
        this.lock = lock;
    }

    /** Takes the directory's lock (creating the directory if needed); {@link #load} reads it. */
    public static JournalPersistence open(JournalConfig config) throws IOException {
        return new JournalPersistence(config, DirectoryLock.acquire(config.dir()));
    }

    /**
     * {@code --repair}: recovers the directory, cutting the journal at its last good record instead of
     * refusing, with every damaged original kept in a {@code .broken} file; returns what it did.
     */
    public static List<String> repair(JournalConfig config) throws IOException {
        try (DirectoryLock ignored = DirectoryLock.acquire(config.dir())) {
            Recovery.Result result = new Recovery(new DataFiles(config.dir()), config.ops(), true, IGNORE).run();
            List<String> report = new java.util.ArrayList<>(result.actions());
            report.add("kept " + result.records() + " journal records after snapshot seq " + result.snapshotSeq()
                    + ": the data now ends at seq " + result.lastSeq());
            return report;
        }
    }

    @Override
    public long load(RecoverySink sink) throws IOException {
        long start = System.nanoTime();
        Recovery.Result result = new Recovery(files, ops, false, sink).run();
        lastSeq = result.lastSeq();
        snapshotSeq = result.snapshotSeq();
        snapshotBytes = result.snapshotBytes();
        snapshotApps = result.snapshotApps();
        journalBytes.set(result.journalBytes());
        if (result.lastSegment() == null) {
            startSegment(lastSeq + 1);
        } else {
            segment = ops.open(result.lastSegment().path(), StandardOpenOption.WRITE);
            segment.position(segment.size());
            segmentFirstSeq = result.lastSegment().seq();
        }
        deleteCovered(snapshotSeq);
        LOG.log(System.Logger.Level.INFO, String.format(
                "loaded %s: snapshot at seq %d + %d journal records, up to seq %d, in %d ms",
                config.dir(), snapshotSeq, result.records(), lastSeq, (System.nanoTime() - start) / 1_000_000));
        return lastSeq;
    }

    @Override
    public void add(long seq, String name, byte[] data) {
        Records.encode(buffer, seq, name, data);
        addedSeq = seq;
    }

    @Override
    public void write() throws IOException {
        try {
            checkFailure();
            ops.write(segment, buffer.view());
            journalBytes.addAndGet(buffer.size());
            lastSeq = addedSeq;
        } finally {
            buffer.reset();
            if (buffer.array().length > 16 * BUFFER_BYTES) {
                buffer = new RecordBuffer(BUFFER_BYTES); // do not hold on to the memory of one huge batch
            }
        }
    }

    @Override
    public void sync() throws IOException {
        checkFailure();
        ops.force(segment);
    }

    @Override
    public void committed(SnapshotSource state) {
        if (running == null && lastSeq > snapshotSeq && System.nanoTime() - retryAfterNanos > 0
                && journalBytes.get() > Math.max(config.minJournalBytes(), snapshotBytes)) {
            compact(state);
        }
    }

    @Override
    public CompletableFuture<Compaction> compact(SnapshotSource state) {
        CompletableFuture<Compaction> current = running;
        if (current != null) {
            return current;
        }
        if (lastSeq == snapshotSeq) {
            return CompletableFuture.completedFuture(new Compaction(snapshotSeq, snapshotApps, snapshotBytes, Duration.ZERO));
        }
        long seq = lastSeq;
        long covered;
        try {
            if (segmentFirstSeq <= seq) { // the current segment holds records up to seq: cut it here
                ops.force(segment);
                segment.close();
                covered = journalBytes.getAndSet(0);
                startSegment(seq + 1);
            } else {
                covered = 0;
            }
        } catch (IOException e) {
            failure = e; // the journal's state on disk is unknown now: fail-stop
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<Compaction> future = new CompletableFuture<>();
        running = future;
        FileChannel journal = segment;
        Thread.ofPlatform().name("microstore-compaction").daemon(true).start(() -> {
            Compaction done = null;
            Exception failed = null;
            try {
                done = writeSnapshot(seq, state, journal);
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "compaction at seq " + seq + " failed; the journal keeps "
                        + "everything and compaction will be tried again", e);
                journalBytes.addAndGet(covered);
                retryAfterNanos = System.nanoTime() + RETRY_NANOS;
                failed = e;
            }
            running = null; // before completing, so that a compact() right after starts a new one
            if (failed != null) {
                future.completeExceptionally(failed);
            } else {
                future.complete(done);
            }
        });
        return future;
    }

    private Compaction writeSnapshot(long seq, SnapshotSource state, FileChannel journal) throws IOException {
        long start = System.nanoTime();
        Path target = files.snapshot(seq);
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        long[] apps = {0};
        long[] bytes = {0};
        try (FileChannel out = ops.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            RecordBuffer buf = new RecordBuffer(1 << 20);
            Records.encodeHeader(buf, seq);
            state.forEachApp((name, data, appSeq) -> {
                Records.encode(buf, appSeq, name, data);
                apps[0]++;
                if (buf.size() >= 1 << 20) {
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
            ops.force(journal); // what the snapshot holds beyond seq must be durable in the journal first
        } catch (IOException e) {
            failure = e;
            Files.deleteIfExists(tmp);
            throw e;
        }
        ops.move(tmp, target);
        ops.syncDirectory(config.dir());
        snapshotSeq = seq;
        snapshotBytes = bytes[0];
        snapshotApps = apps[0];
        compactions.incrementAndGet();
        deleteCovered(seq);
        Compaction done = new Compaction(seq, apps[0], bytes[0], Duration.ofNanos(System.nanoTime() - start));
        LOG.log(System.Logger.Level.INFO, String.format("compacted: snapshot at seq %d, %d apps, %d bytes, in %d ms",
                seq, done.apps(), done.bytes(), done.took().toMillis()));
        return done;
    }

    /** Deletes the segments and older snapshots that the snapshot at {@code seq} makes redundant. */
    private void deleteCovered(long seq) {
        if (seq == 0) {
            return;
        }
        try {
            List<DataFiles.Numbered> segments = files.segments();
            for (int i = 0; i + 1 < segments.size() && segments.get(i + 1).seq() <= seq + 1; i++) {
                ops.delete(segments.get(i).path());
            }
            for (DataFiles.Numbered snapshot : files.snapshots()) {
                if (snapshot.seq() < seq) {
                    ops.delete(snapshot.path());
                }
            }
            ops.syncDirectory(config.dir());
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "could not delete files that the snapshot at seq " + seq
                    + " covers; they are harmless and will be deleted later", e);
        }
    }

    /** Starts a new, empty segment and makes its existence durable. */
    private void startSegment(long firstSeq) throws IOException {
        segment = ops.open(files.segment(firstSeq), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        segmentFirstSeq = firstSeq;
        ops.force(segment);
        ops.syncDirectory(config.dir());
    }

    private void checkFailure() throws IOException {
        IOException failed = failure;
        if (failed != null) {
            throw new IOException("the journal failed earlier: " + failed.getMessage(), failed);
        }
    }

    @Override
    public PersistenceStats stats() {
        return new PersistenceStats(journalBytes.get(), snapshotBytes, compactions.get());
    }

    @Override
    public String describe() {
        return config.dir().toString();
    }

    /** Waits for a running compaction, syncs and closes the journal, and releases the directory. */
    @Override
    public void close() throws IOException {
        CompletableFuture<Compaction> current = running;
        if (current != null) {
            current.exceptionally(e -> null).join();
        }
        try {
            if (segment != null && segment.isOpen()) {
                if (failure == null) {
                    ops.force(segment);
                }
                segment.close();
            }
        } finally {
            lock.close();
        }
    }

    /** --repair only checks and cuts; nothing is served. */
    private static final RecoverySink IGNORE = new RecoverySink() {
        @Override
        public void restore(String name, byte[] data, long seq) {
        }

        @Override
        public void replay(long seq, String name, byte[] data) {
        }

        @Override
        public void reset() {
        }
    };
}
