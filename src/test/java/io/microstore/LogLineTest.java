package io.microstore;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.ConsoleHandler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The packaged logging configuration writes every record as one line, as journald and podman logs need. */
class LogLineTest {
    @Test
    void aRecordWithAStackTraceAndLineBreaksIsOneLine() throws Exception {
        // the packaged file itself: the tests' own logging.properties comes first on the class path
        Path packaged = Path.of(Main.class
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation()
                        .toURI())
                .resolve("logging.properties");
        try (InputStream config = Files.newInputStream(packaged)) {
            LogManager.getLogManager().readConfiguration(config);
        }
        LogRecord record = new LogRecord(Level.WARNING, "first line\nsecond line");
        record.setLoggerName("io.microstore.Test");
        record.setThrown(new UncheckedIOException("disk gone", new IOException("EIO")));
        String line = new ConsoleHandler().getFormatter().format(record);

        assertEquals(line.length() - 1, line.indexOf('\n'), line); // one line break: the one that ends it
        assertTrue(line.contains(" WARNING io.microstore.Test: first line second line | "), line);
        assertTrue(line.contains("java.io.UncheckedIOException: disk gone at io.microstore.LogLineTest."), line);
        assertTrue(line.contains(" | caused by java.io.IOException: EIO at "), line);
    }
}
