package io.microstore.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The bench's durable floor must hold every write it acknowledged, or it would flatter the floor. */
class BareJournalTest {
    @Test
    void everyAcknowledgedAppendIsInTheFileWhenItReturns(@TempDir Path dir) throws Exception {
        BareJournal journal = new BareJournal(dir);
        AtomicInteger missing = new AtomicInteger();
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < 16; w++) {
            int writer = w;
            writers.add(Thread.ofVirtual().start(() -> {
                for (int i = 0; i < 50; i++) {
                    String line = "w" + writer + "-" + i + "\n";
                    journal.append(line.getBytes(StandardCharsets.UTF_8));
                    if (!read(dir).contains(line)) {
                        missing.incrementAndGet();
                    }
                }
            }));
        }
        for (Thread t : writers) {
            t.join();
        }
        assertEquals(0, missing.get(), "appends not in the file when they returned");
        assertEquals(16 * 50, read(dir).lines().count());
    }

    @Test
    void anEmptyWriteIsAcknowledgedToo(@TempDir Path dir) throws Exception {
        BareJournal journal = new BareJournal(dir);
        Thread t = Thread.ofVirtual().start(() -> journal.append(new byte[0]));
        t.join(10_000);
        assertFalse(t.isAlive(), "an empty write still returns");
    }

    private static String read(Path dir) {
        try {
            return Files.readString(dir.resolve("journal"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
