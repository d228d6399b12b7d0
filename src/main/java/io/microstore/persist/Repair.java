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

import io.microstore.commit.CommitStream;

/**
 * Every change {@link Recovery} makes to damaged files, each one logged and kept for the report;
 * damaged bytes are never deleted, only kept aside in {@code .broken} files. At every start only the
 * safe changes happen (a torn tail cut off, a damaged snapshot set aside when an older one serves);
 * {@code --repair} ({@link #run}) also cuts the journal at its last good record.
 */
final class Repair {
    private static final System.Logger LOG = System.getLogger(Repair.class.getName());

    private final DataFiles files;
    private final FileOps ops;
    private final List<String> actions = new ArrayList<>();
    private TornTail deferred;

    Repair(DataFiles files, FileOps ops) {
        this.files = files;
        this.ops = ops;
    }

    /** {@code --repair}: recovers the directory in repair mode and reports what it did. */
    static List<String> run(JournalConfig config) throws IOException {
        try (DirectoryLock ignored = DirectoryLock.acquire(config.dir())) {
            // --repair only checks and cuts: nothing is served, so the loaded state goes nowhere
            Recovery.Result result =
                    new Recovery(new DataFiles(config.dir()), config.ops(), true, CommitStream.IGNORED).run();
            List<String> report = new ArrayList<>(result.actions());
            report.add("kept " + result.records() + " journal records after snapshot seq " + result.snapshotSeq()
                    + ": the data now ends at seq " + result.lastSeq());
            return report;
        }
    }

    List<String> actions() {
        return List.copyOf(actions);
    }

    /** The torn tail left in place for lack of room, or null. */
    TornTail deferred() {
        return deferred;
    }

    /** A torn last record of the last segment, left in place until there is room to keep it aside. */
    record TornTail(Path segment, long offset, String problem) {}

    /**
     * A torn last write: keep its bytes in a .broken file, cut them off, and go on. When the disk is
     * too full for the copy and {@code mayDefer} (a normal start, not --repair), the tail stays where it
     * is and {@link #deferred} says so: the store then starts for reads, and the journal cuts the tail
     * ({@link #cutTornTail(TornTail)}) before its first write, once there is room.
     */
    void cutTornTail(Path segment, long offset, String problem, boolean mayDefer) throws IOException {
        try {
            cutTornTail(new TornTail(segment, offset, problem));
        } catch (OutOfSpace e) {
            if (!mayDefer) {
                throw e;
            }
            deferred = new TornTail(segment, offset, problem);
            LOG.log(
                    System.Logger.Level.WARNING,
                    "the last record of " + segment.getFileName() + " is torn (" + problem
                            + ") but there is no room to keep its bytes aside: it stays until there is room; "
                            + e.getMessage());
        }
    }

    /** Keeps the torn tail's bytes in a .broken file and cuts them off, or throws {@link OutOfSpace} having changed nothing. */
    void cutTornTail(TornTail torn) throws IOException {
        Path segment = torn.segment();
        long offset = torn.offset();
        long size = Files.size(segment);
        Path broken = files.broken(segment);
        try (FileChannel in = FileChannel.open(segment, StandardOpenOption.READ);
                FileChannel out = ops.open(broken, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer tail = ByteBuffer.allocate((int) Math.min(size - offset, Integer.MAX_VALUE - 8));
            in.read(tail, offset);
            tail.flip();
            ops.write(out, tail);
            ops.force(out);
        } catch (IOException e) {
            if (OutOfSpace.causedBy(e)) {
                ops.delete(broken); // a partial copy is worth nothing, and it takes room
            }
            throw OutOfSpace.of("a copy of a torn record in " + broken.getFileName(), e);
        }
        String problem = torn.problem();
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
    void cutAndSetAsideRest(List<DataFiles.Numbered> segments, int index, long offset, String problem)
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
        actions.add("cut " + segment.getFileName() + " at byte " + offset + " (" + problem
                + "); the original is kept as " + original.getFileName());
    }

    /** Renames {@code file} to a {@code .broken} name, so that recovery never reads it again. */
    void setAside(Path file, String action) throws IOException {
        ops.move(file, files.broken(file));
        ops.syncDirectory(files.dir());
        LOG.log(System.Logger.Level.WARNING, action);
        actions.add(action);
    }

    private void truncate(Path file, long size) throws IOException {
        try (FileChannel channel = ops.open(file, StandardOpenOption.WRITE)) {
            ops.truncate(channel, size);
            ops.force(channel);
        }
        ops.syncDirectory(files.dir());
    }
}
