package io.microstore.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The floor of a durable write for the benchmarks: the simplest group commit, with nothing of
 * microstore's. {@link #append} adds bytes to the open group and waits until one syncer thread has
 * written the group to one file and fdatasynced it; the syncer takes the next group as soon as the
 * last fdatasync returns, so requests that arrive during an fdatasync share the next one. No record
 * format, no checksums, no recovery: what {@code BareServer --durable} puts in front of bare Helidon
 * to show what acknowledging only fdatasynced writes costs on a machine before any store runs.
 */
final class BareJournal {
    private final FileChannel file;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition pending = lock.newCondition();
    private ByteArrayOutputStream group = new ByteArrayOutputStream();
    private int writers; // in the open group (a write may be empty)
    private CompletableFuture<Void> synced = new CompletableFuture<>();

    BareJournal(Path dir) throws IOException {
        Files.createDirectories(dir);
        file = FileChannel.open(
                dir.resolve("journal"), StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        Thread.ofPlatform().daemon().name("bare-syncer").start(this::syncForever);
    }

    /** Returns once {@code bytes} are on disk (fdatasynced) with the rest of their group. */
    void append(byte[] bytes) {
        CompletableFuture<Void> done;
        lock.lock();
        try {
            group.writeBytes(bytes);
            writers++;
            done = synced;
            pending.signal();
        } finally {
            lock.unlock();
        }
        done.join();
    }

    private void syncForever() {
        while (true) {
            ByteArrayOutputStream taken;
            CompletableFuture<Void> done;
            lock.lock();
            try {
                while (writers == 0) {
                    pending.awaitUninterruptibly();
                }
                taken = group;
                done = synced;
                group = new ByteArrayOutputStream();
                writers = 0;
                synced = new CompletableFuture<>();
            } finally {
                lock.unlock();
            }
            try {
                ByteBuffer bytes = ByteBuffer.wrap(taken.toByteArray());
                while (bytes.hasRemaining()) {
                    file.write(bytes);
                }
                file.force(false);
                done.complete(null);
            } catch (IOException e) {
                done.completeExceptionally(new UncheckedIOException(e));
            }
        }
    }
}
