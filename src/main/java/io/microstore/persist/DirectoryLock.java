package io.microstore.persist;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The {@code LOCK} file of a data directory, held for the life of the process: one process per directory. */
final class DirectoryLock implements Closeable {
    /**
     * Directories locked by this process. A second open in the same JVM must be refused before it
     * opens LOCK at all: closing any descriptor of a file drops every POSIX lock the process holds
     * on it, so the refused attempt would release the first one's lock.
     */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path dir;
    private final FileChannel channel;
    private final FileLock lock;

    private DirectoryLock(Path dir, FileChannel channel, FileLock lock) {
        this.dir = dir;
        this.channel = channel;
        this.lock = lock;
    }

    /** Creates the directory if needed and takes its lock, or explains in one line why not. */
    static DirectoryLock acquire(Path dir) throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IOException("data directory " + dir + " is a file, not a directory");
        }
        try {
            create(dir);
        } catch (IOException e) {
            throw new IOException("cannot create data directory " + dir + ": " + e, e);
        }
        if (!Files.isWritable(dir)) {
            throw new IOException("data directory " + dir + " is not writable");
        }
        Path real = dir.toRealPath();
        if (!HELD.add(real)) {
            throw new DirectoryInUse("data directory " + dir + " is in use: already open in this process");
        }
        try {
            return lock(real);
        } catch (IOException | RuntimeException e) {
            HELD.remove(real);
            throw e;
        }
    }

    /**
     * Creates the directory and any missing parents readable by this user only: the apps may hold anything,
     * and a directory made by the process (not by an operator, a systemd StateDirectory= or a volume) gets
     * no wider access than the journal needs. An existing directory keeps the permissions it has.
     */
    private static void create(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        try {
            Files.createDirectories(
                    dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (UnsupportedOperationException e) { // a file system without POSIX permissions
            Files.createDirectories(dir);
        }
    }

    private static DirectoryLock lock(Path dir) throws IOException {
        FileChannel channel;
        try {
            channel = FileChannel.open(
                    dir.resolve(DataFiles.LOCK),
                    StandardOpenOption.CREATE,
                    StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new IOException("cannot open " + dir.resolve(DataFiles.LOCK) + ": " + e, e);
        }
        FileLock lock = channel.tryLock();
        if (lock == null) {
            String holder = holder(channel);
            channel.close();
            throw new DirectoryInUse("data directory " + dir + " is in use by another microstore process" + holder);
        }
        writePid(channel);
        return new DirectoryLock(dir, channel, lock);
    }

    /**
     * Writes this process's id into LOCK, for the message another process gets. Only a courtesy: on a
     * full disk the lock is held without it, so that the store still starts and serves reads.
     */
    private static void writePid(FileChannel channel) throws IOException {
        try {
            channel.truncate(0);
            channel.write(
                    ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
        } catch (IOException e) {
            if (!OutOfSpace.causedBy(e)) {
                throw e;
            }
            System.getLogger(DirectoryLock.class.getName())
                    .log(
                            System.Logger.Level.WARNING,
                            "no space to write the process id into " + DataFiles.LOCK
                                    + "; the directory is locked all the same");
        }
    }

    private static String holder(FileChannel channel) {
        try {
            ByteBuffer buf = ByteBuffer.allocate(32);
            channel.read(buf, 0);
            String pid = new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII).trim();
            return pid.isEmpty() ? "" : " (pid " + pid + ")";
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
            channel.close();
        } finally {
            HELD.remove(dir);
        }
    }
}
