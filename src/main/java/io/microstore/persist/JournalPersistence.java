package io.microstore.persist;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

import io.microstore.commit.Commit;
import io.microstore.commit.CommitStream;
import io.microstore.commit.Compaction;
import io.microstore.commit.Stats;

/**
 * Persistence in a data directory: an append-only journal in {@link Segments}, compacted into
 * {@link Snapshots}, read back by {@link Recovery}. Format and file lifecycle: {@code package-info.java}.
 *
 * <p>The store's worker is the only thread that appends, syncs and rolls segments. A compaction cuts
 * the journal at seq S on the worker (sync the segment, start {@code journal-(S+1)}, sync the
 * directory), then writes the snapshot on a thread of its own from the live state while writes go on;
 * only once the snapshot is durable are the files it covers deleted.
 */
public final class JournalPersistence implements Persistence {
    private static final System.Logger LOG = System.getLogger(JournalPersistence.class.getName());
    private static final int BUFFER_BYTES = 64 << 10;
    private static final long RETRY_NANOS = Duration.ofSeconds(30).toNanos();
    /**
     * A space probe writes as much as the write that failed, but never more than this: a probe the size
     * of a 10 MiB batch would keep every small write out while there is room for it. A large write that
     * still does not fit fails again, is cut off again, and refuses writes for another second.
     */
    private static final long MAX_PROBE_BYTES = 64L << 10;

    private static final String PROBE = "space-probe.tmp";

    private final JournalConfig config;
    private final DataFiles files;
    private final FileOps ops;
    private final DirectoryLock lock;
    private final Segments segments;
    private final Snapshots snapshots;
    // Owned by the worker thread.
    private RecordBuffer buffer = new RecordBuffer(BUFFER_BYTES);
    private long lastSeq;
    private long addedSeq; // of the last record added and not yet written
    private Deferred deferred; // start-up work a full disk kept from being done: done before the next write
    private OutOfSpace outOfSpace; // why the last write or load could not write, until a write succeeds
    private long lastFailedBytes; // how much the write that failed for space wanted
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
        this.segments = new Segments(files, ops);
        this.snapshots = new Snapshots(files, ops);
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
        return Repair.run(config);
    }

    @Override
    public long load(CommitStream sink) throws IOException {
        long start = System.nanoTime();
        Recovery.Result result;
        try (PipelinedSink pipeline = new PipelinedSink(sink)) {
            result = new Recovery(files, ops, false, pipeline).run();
            pipeline.finish();
        }
        lastSeq = result.lastSeq();
        snapshotSeq = result.snapshotSeq();
        snapshotBytes = result.snapshotBytes();
        snapshotApps = result.snapshotApps();
        journalBytes.set(result.journalBytes());
        Repair.TornTail torn = result.tornTail();
        if (result.lastSegment() == null) {
            long first = lastSeq + 1;
            startOrDefer("a new journal segment", () -> segments.start(first));
        } else if (torn == null) {
            segments.openForAppend(
                    result.lastSegment(), Files.size(result.lastSegment().path()));
        } else {
            segments.openForAppend(result.lastSegment(), torn.offset()); // the first write comes after the cut
            Repair repair = new Repair(files, ops);
            deferred = () -> repair.cutTornTail(torn);
            outOfSpace = new OutOfSpace(
                    "no space left to keep the torn last record of "
                            + torn.segment().getFileName() + " aside before cutting it off",
                    null);
        }
        deleteCovered(snapshotSeq);
        LOG.log(
                System.Logger.Level.INFO,
                String.format(
                        "loaded %s: snapshot at seq %d + %d journal records, up to seq %d, in %d ms",
                        config.dir(), snapshotSeq, result.records(), lastSeq, (System.nanoTime() - start) / 1_000_000));
        return lastSeq;
    }

    /** Does {@code work} now, or, when the disk is too full for it, before the first write. */
    private void startOrDefer(String what, Deferred work) throws IOException {
        try {
            work.run();
        } catch (OutOfSpace e) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "no space to write " + what + " at start: the store serves reads, "
                            + "and writes wait until there is room; " + e.getMessage());
            deferred = work;
            outOfSpace = e;
        }
    }

    @Override
    public OutOfSpace waitingForSpace() {
        return outOfSpace;
    }

    /**
     * Does the start-up work still pending, then writes (without syncing) and deletes a probe file as
     * large as the write that last failed for space, up to {@link #MAX_PROBE_BYTES}.
     */
    @Override
    public void probeSpace() throws IOException {
        checkFailure();
        runDeferred();
        Path probe = config.dir().resolve(PROBE);
        long size = Math.min(Math.max(lastFailedBytes, 1), MAX_PROBE_BYTES);
        try (FileChannel out = ops.open(
                probe, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            ByteBuffer zeros = ByteBuffer.allocate((int) size);
            ops.write(out, zeros);
        } catch (IOException e) {
            throw OutOfSpace.of("a space probe of " + size + " bytes", e);
        } finally {
            ops.delete(probe);
        }
        outOfSpace = null;
    }

    private void runDeferred() throws IOException {
        if (deferred != null) {
            deferred.run();
            deferred = null;
        }
    }

    @Override
    public void append(Commit commit) {
        Records.encode(buffer, commit);
        addedSeq = commit.seq();
    }

    @Override
    public void write() throws IOException {
        try {
            checkFailure();
            runDeferred();
            segments.write(buffer.view());
            journalBytes.addAndGet(buffer.size());
            lastSeq = addedSeq;
            outOfSpace = null;
        } catch (OutOfSpace e) {
            outOfSpace = e;
            lastFailedBytes = buffer.size();
            throw e;
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
        segments.force();
    }

    @Override
    public boolean compactionDue() {
        return running == null
                && lastSeq > snapshotSeq
                && System.nanoTime() - retryAfterNanos > 0
                && journalBytes.get() > Math.max(config.minJournalBytes(), snapshotBytes);
    }

    @Override
    public void committed(SnapshotSource state) {
        if (compactionDue()) {
            compact(state);
        }
    }

    @Override
    public CompletableFuture<Compaction> compact(SnapshotSource state) {
        CompletableFuture<Compaction> current = running;
        if (current != null) {
            return current;
        }
        if (deferred != null) { // a torn tail still in the segment must be cut before the segment ends
            return CompletableFuture.failedFuture(outOfSpace);
        }
        if (lastSeq == snapshotSeq) {
            return CompletableFuture.completedFuture(
                    new Compaction(snapshotSeq, snapshotApps, snapshotBytes, Duration.ZERO));
        }
        long seq = lastSeq;
        long covered;
        try {
            if (segments.holds(seq)) { // the current segment holds records up to seq: cut it here
                segments.finish();
                covered = journalBytes.getAndSet(0);
                startNextSegment(seq + 1, covered);
            } else {
                covered = 0;
            }
        } catch (OutOfSpace e) {
            return CompletableFuture.failedFuture(e); // the journal goes on in the segment it was in
        } catch (IOException e) {
            failure = e; // the journal's state on disk is unknown now: fail-stop
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<Compaction> future = new CompletableFuture<>();
        running = future;
        FileChannel journal = segments.current();
        Thread.ofPlatform().name("microstore-compaction").daemon(true).start(() -> {
            Compaction done = null;
            Exception failed = null;
            try {
                done = writeSnapshot(seq, state, journal);
            } catch (IOException | RuntimeException e) {
                LOG.log(
                        System.Logger.Level.ERROR,
                        "compaction at seq " + seq + " failed; the journal keeps "
                                + "everything and compaction will be tried again",
                        e);
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

    /**
     * Starts the segment after a compaction cut; when there is no room for it, appends go on in the
     * segment just finished (nothing was lost: it was synced and is whole) and compaction is tried later.
     */
    private void startNextSegment(long first, long covered) throws IOException {
        try {
            segments.start(first);
        } catch (OutOfSpace e) {
            segments.resume();
            journalBytes.addAndGet(covered);
            retryAfterNanos = System.nanoTime() + RETRY_NANOS;
            LOG.log(System.Logger.Level.WARNING, "compaction postponed: " + e.getMessage());
            throw e;
        }
    }

    /** On the compaction thread: the snapshot at {@code seq}, then the files it makes redundant go. */
    private Compaction writeSnapshot(long seq, SnapshotSource state, FileChannel journal) throws IOException {
        long start = System.nanoTime();
        Snapshots.Written written = snapshots.write(seq, state, () -> {
            try {
                ops.force(journal);
            } catch (IOException e) {
                failure = e; // the journal can no longer be trusted to hold what was acknowledged: fail-stop
                throw e;
            }
        });
        snapshotSeq = seq;
        snapshotBytes = written.bytes();
        snapshotApps = written.apps();
        compactions.incrementAndGet();
        deleteCovered(seq);
        Compaction done =
                new Compaction(seq, written.apps(), written.bytes(), Duration.ofNanos(System.nanoTime() - start));
        LOG.log(
                System.Logger.Level.INFO,
                String.format(
                        "compacted: snapshot at seq %d, %d apps, %d bytes, in %d ms",
                        seq, done.apps(), done.bytes(), done.took().toMillis()));
        return done;
    }

    /** Deletes the segments and older snapshots that the snapshot at {@code seq} makes redundant. */
    private void deleteCovered(long seq) {
        if (seq == 0) {
            return;
        }
        try {
            segments.deleteCovered(seq);
            snapshots.deleteOlder(seq);
            ops.syncDirectory(config.dir());
        } catch (IOException e) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "could not delete files that the snapshot at seq " + seq
                            + " covers; they are harmless and will be deleted later",
                    e);
        }
    }

    /** Work that needs room on the disk, done later when there was none. */
    @FunctionalInterface
    private interface Deferred {
        void run() throws IOException;
    }

    private void checkFailure() throws IOException {
        IOException failed = failure;
        if (failed != null) {
            throw new IOException("the journal failed earlier: " + failed.getMessage(), failed);
        }
    }

    @Override
    public Stats stats() {
        return new Stats(0, journalBytes.get(), snapshotBytes, compactions.get());
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
            segments.close(failure == null);
        } finally {
            lock.close();
        }
    }
}
