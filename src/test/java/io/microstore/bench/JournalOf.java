package io.microstore.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.microstore.api.wire.ImportFormats;
import io.microstore.commit.Change;
import io.microstore.commit.Commit;
import io.microstore.commit.CommitStream;
import io.microstore.persist.JournalPersistence;
import io.microstore.store.Importer.Item;
import io.microstore.testing.Stores;

/**
 * Appends the apps of an export file (JSON lines) to a data directory's journal, one record each, through
 * the journal itself: the records one PUT per app would leave, without the HTTP. {@code make bench} builds
 * its start-up cases with it, because {@code --import} writes one commit, one record, and the start-up
 * goal is about replaying a journal of many.
 *
 * <p>Usage: {@code JournalOf DIR FILE}. The records go on after the directory's last seq (a snapshot and
 * journal already there are loaded first). The directory must not be in use; nothing here compacts.
 */
public final class JournalOf {
    private static final int RECORDS_PER_WRITE = 10_000;

    private JournalOf() {}

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        List<Item> items = ImportFormats.fromFile(Files.readAllBytes(Path.of(args[1])));
        try (JournalPersistence journal = JournalPersistence.open(Stores.journal(dir))) {
            long seq = journal.load(CommitStream.IGNORED); // only its last seq is needed
            for (Item item : items) {
                journal.append(Commit.of(++seq, Change.put(item.name(), item.data())));
                if (seq % RECORDS_PER_WRITE == 0) {
                    journal.write();
                }
            }
            journal.write();
            journal.sync();
            System.out.println("journal of " + dir + " now ends at seq " + seq);
        }
    }
}
