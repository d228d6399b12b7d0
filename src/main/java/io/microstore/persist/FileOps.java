package io.microstore.persist;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;

/**
 * The seam through which the journal touches the disk: every write, fsync, rename and delete goes
 * through one of these calls, so tests can fail the k-th operation and check what was acknowledged.
 */
public interface FileOps {
    /** The real file system. */
    FileOps REAL = new RealFileOps();

    FileChannel open(Path path, OpenOption... options) throws IOException;

    /** Writes all of {@code buffer} at the channel's position. */
    void write(FileChannel channel, ByteBuffer buffer) throws IOException;

    /** fdatasync: the written bytes (and the file size) reach stable storage. */
    void force(FileChannel channel) throws IOException;

    void truncate(FileChannel channel, long size) throws IOException;

    /** Atomic rename within one directory; the directory must be synced afterwards to make it durable. */
    void move(Path from, Path to) throws IOException;

    void delete(Path path) throws IOException;

    /** fsync of a directory, which makes creations, renames and deletions in it durable. */
    void syncDirectory(Path dir) throws IOException;
}
