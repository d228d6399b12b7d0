package io.microstore.local;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;

import io.microstore.persist.JournalPersistence;
import io.microstore.store.Command;
import io.microstore.store.Precondition;
import io.microstore.store.Store;
import io.microstore.testing.Eventually;
import io.microstore.testing.Stores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/**
 * The writer's overlay (each app's state in the writes taken and not yet published, what the next decisions
 * read) lets go of published writes when the syncer runs out of work, not only at the next write: after an
 * import of a million apps it held every one of them, about 100 MB, until someone wrote again.
 */
class WriterOverlayTest {
    @Test
    void theOverlayIsEmptiedOnceItsWritesArePublishedWithoutAnotherWrite(@TempDir Path dir) throws Exception {
        LocalEngine engine = new LocalEngine(JournalPersistence.open(Stores.journal(dir)), Stores.LOCAL);
        try (Store store = Store.open(engine, Stores.FEED)) {
            byte[] value = "1".getBytes(StandardCharsets.UTF_8);
            List<Command> puts = IntStream.range(0, 1000)
                    .mapToObj(i -> (Command) new Command.Put("o/" + i, value, Precondition.NONE, 0))
                    .toList();
            Stores.executeAll(store, puts); // in batches of 256: the last one's apps are in the overlay at first
            assertThat(store.size(), is(1000));
            Eventually.await(
                    "the overlay is empty with no write after",
                    () -> engine.writer().overlaySize() == 0);
            assertThat(store.get("o/999").seq(), is(1000L));
        }
    }
}
