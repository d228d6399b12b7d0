package io.microstore.bench.jmh;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.microstore.commit.Change;
import io.microstore.commit.Commit;
import io.microstore.commit.CommitStream;
import io.microstore.persist.JournalPersistence;
import io.microstore.testing.Stores;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * JMH (run by {@code make jmh}): group commit as the store's worker does it, {@code append} of a
 * batch of {@code batch} small puts and one {@code sync()} (a real fdatasync) on a fresh journal.
 *
 * <p>The primary score, {@code appendAndSync}, is the time per batch; the secondary score
 * {@code appendAndSync:record} is the same time divided by the records written (an aux counter,
 * since {@code @OperationsPerInvocation} cannot follow a {@code @Param}). With {@code batch=1} the
 * score is essentially the latency of one fdatasync.
 *
 * <p>The journal lives in a new directory under {@code target/} (override with
 * {@code -Dmicrostore.bench.dir=...}, e.g. to measure another disk; not /tmp, which may be a tmpfs
 * where fsync costs nothing), created per trial and deleted after it.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Thread)
public class JournalAppendBench {
    @Param({"1", "8", "64", "512"})
    public int batch;

    private static final byte[] DATA =
            "{\"n\":1,\"s\":\"some small value\",\"ok\":true}".getBytes(StandardCharsets.UTF_8);

    /** Held so the level sticks: the "loaded ..." line would land in the middle of JMH's output. */
    private static final java.util.logging.Logger JOURNAL_LOG =
            java.util.logging.Logger.getLogger(JournalPersistence.class.getName());

    private final String[] names = new String[1024];
    private Path dir;
    private JournalPersistence journal;
    private long seq;

    /** Records written in the iteration (JMH zeroes it before each): the score divides the time by it. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Written {
        public long record;
    }

    @Setup(Level.Trial)
    public void open() throws IOException {
        JOURNAL_LOG.setLevel(java.util.logging.Level.WARNING);
        for (int i = 0; i < names.length; i++) {
            names[i] = "team-a/app-" + i;
        }
        Path base = Path.of(System.getProperty("microstore.bench.dir", "target"));
        Files.createDirectories(base);
        dir = Files.createTempDirectory(base.toAbsolutePath(), "jmh-journal-");
        journal = JournalPersistence.open(Stores.journal(dir));
        seq = journal.load(CommitStream.IGNORED);
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        try {
            journal.close();
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    @Benchmark
    public void appendAndSync(Written written) throws IOException {
        for (int i = 0; i < batch; i++) {
            seq++;
            journal.append(Commit.of(seq, Change.put(names[(int) (seq & (names.length - 1))], DATA)));
        }
        journal.write();
        journal.sync();
        written.record += batch;
    }
}
