package io.microstore.local;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import io.microstore.persist.JournalPersistence;
import io.microstore.store.Command;
import io.microstore.store.Precondition;
import io.microstore.store.Store;
import io.microstore.testing.Stores;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/**
 * A write is decided on its caller's thread, and a request's thread may be interrupted (a body timeout
 * firing late, the server stopping). An interrupt during a {@code FileChannel}'s write closes the channel,
 * which would stop the store: so under every fsync policy the journal's files are written by the writer's
 * own thread, and an interrupted caller's write is acknowledged and kept like any other.
 */
class InterruptedCallerTest {
    @ParameterizedTest
    @EnumSource(FsyncPolicy.class)
    void anInterruptedCallersWriteIsKeptAndTheStoreGoesOn(FsyncPolicy fsync, @TempDir Path dir) throws Exception {
        LocalConfig config = new LocalConfig(1024, fsync, Duration.ofMillis(10));
        try (Store store = Stores.open(JournalPersistence.open(Stores.journal(dir)), config)) {
            Thread.currentThread().interrupt();
            long seq;
            try {
                seq = store.execute(put("a", "1")).seq();
            } finally {
                assertThat("the caller's interrupt is left to it", Thread.interrupted(), is(true));
            }
            assertThat(seq, is(1L));
            assertThat(store.execute(put("b", "2")).seq(), is(2L));
        }
        try (Store reopened = Stores.open(JournalPersistence.open(Stores.journal(dir)), config)) {
            assertThat(text(reopened.get("a").data()), is("1"));
            assertThat(text(reopened.get("b").data()), is("2"));
        }
    }

    private static Command.Put put(String name, String json) {
        return new Command.Put(name, json.getBytes(StandardCharsets.UTF_8), Precondition.NONE);
    }

    private static String text(byte[] data) {
        return new String(data, StandardCharsets.UTF_8);
    }
}
