package io.microstore.persist;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test double for {@link FileOps}: delegates to {@link FileOps#REAL}, counts the calls of each kind, and
 * can be told to fail the k-th call of a kind from now on. Thread-safe, because compaction runs on its
 * own thread. Only the armed call fails; later calls succeed again, so a test also sees whether the
 * code under test stopped on its own (fail-stop) rather than because the disk kept failing.
 */
public final class FaultyFileOps implements FileOps {
    public enum Kind {
        OPEN,
        WRITE,
        FORCE,
        TRUNCATE,
        MOVE,
        DELETE,
        SYNC_DIRECTORY
    }

    private final FileOps delegate = FileOps.REAL;
    private final Map<Kind, AtomicInteger> calls = new EnumMap<>(Kind.class);
    private final Map<Kind, Integer> failAt = new ConcurrentHashMap<>(); // absolute call number that fails
    private final AtomicInteger failures = new AtomicInteger();
    private volatile boolean tearWrites;
    private final Map<Kind, String> messages = new ConcurrentHashMap<>(); // of the armed failure, if not the default
    private volatile String full; // while set, every write fails with it after writing part of its bytes

    public FaultyFileOps() {
        for (Kind kind : Kind.values()) {
            calls.put(kind, new AtomicInteger()); // filled once, then only read: safe to share
        }
    }

    /** Fails the {@code k}-th call of {@code kind} counted from now (k = 1: the next one). */
    public FaultyFileOps failNth(Kind kind, int k) {
        messages.remove(kind);
        failAt.put(kind, calls.get(kind).get() + k);
        return this;
    }

    /** Like {@link #failNth(Kind, int)}, failing with {@code message}, e.g. the operating system's "No space left on device". */
    public FaultyFileOps failNth(Kind kind, int k, String message) {
        failNth(kind, k);
        messages.put(kind, message);
        return this;
    }

    /**
     * A full disk from now on: every write writes half of its bytes (as a real full disk writes what
     * fits) and fails with {@code message} ("No space left on device", "Disk quota exceeded").
     */
    public FaultyFileOps fill(String message) {
        full = message;
        return this;
    }

    /** Room on the disk again: writes succeed. */
    public FaultyFileOps makeRoom() {
        full = null;
        return this;
    }

    /** Like {@code failNth(WRITE, k)}, but the failing write first writes half of its bytes: a torn write. */
    FaultyFileOps tearNthWrite(int k) {
        tearWrites = true;
        return failNth(Kind.WRITE, k);
    }

    public int calls(Kind kind) {
        return calls.get(kind).get();
    }

    /** How many injected failures have been thrown. */
    public int failures() {
        return failures.get();
    }

    private void call(Kind kind) throws IOException {
        int n = calls.get(kind).incrementAndGet();
        Integer at = failAt.get(kind);
        if (at != null && at == n) {
            failures.incrementAndGet();
            throw new IOException(messages.getOrDefault(kind, "injected failure of " + kind + " call #" + n));
        }
    }

    @Override
    public FileChannel open(Path path, OpenOption... options) throws IOException {
        call(Kind.OPEN);
        return delegate.open(path, options);
    }

    @Override
    public void write(FileChannel channel, ByteBuffer buffer) throws IOException {
        String noRoom = full;
        try {
            call(Kind.WRITE);
            if (noRoom != null) {
                failures.incrementAndGet();
                throw new IOException(noRoom);
            }
        } catch (IOException e) {
            if (tearWrites || noRoom != null) {
                ByteBuffer half = buffer.duplicate();
                half.limit(half.position() + half.remaining() / 2);
                delegate.write(channel, half);
            }
            throw e;
        }
        delegate.write(channel, buffer);
    }

    @Override
    public void force(FileChannel channel) throws IOException {
        call(Kind.FORCE);
        delegate.force(channel);
    }

    @Override
    public void truncate(FileChannel channel, long size) throws IOException {
        call(Kind.TRUNCATE);
        delegate.truncate(channel, size);
    }

    @Override
    public void move(Path from, Path to) throws IOException {
        call(Kind.MOVE);
        delegate.move(from, to);
    }

    @Override
    public void delete(Path path) throws IOException {
        call(Kind.DELETE);
        delegate.delete(path);
    }

    @Override
    public void syncDirectory(Path dir) throws IOException {
        call(Kind.SYNC_DIRECTORY);
        delegate.syncDirectory(dir);
    }
}
