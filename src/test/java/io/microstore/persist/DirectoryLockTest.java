package io.microstore.persist;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

import io.microstore.testing.Stores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DirectoryLockTest {
    @TempDir
    Path dir;

    /** Tries to take the lock of {@code dir} from a child JVM; returns its exit code. */
    private static int lockFromAnotherProcess(Path dir) throws IOException, InterruptedException, URISyntaxException {
        String classPath = Path.of(LockProbe.class
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation()
                        .toURI())
                + File.pathSeparator
                + Path.of(DirectoryLock.class
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation()
                        .toURI());
        Process child = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-XX:TieredStopAtLevel=1",
                        "-cp",
                        classPath,
                        LockProbe.class.getName(),
                        dir.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the probe process finished");
        return child.exitValue();
    }

    @Test
    void aSecondOpenInTheSameJvmIsRefusedWithAClearMessage() throws IOException {
        try (JournalPersistence ignored = JournalPersistence.open(Stores.journal(dir))) {
            IOException e = assertThrows(IOException.class, () -> JournalPersistence.open(Stores.journal(dir)));
            assertThat(e.getMessage(), containsString("data directory " + dir));
            assertThat(e.getMessage(), containsString("in use"));
        }
    }

    @Test
    void aRegularFileIsRefusedAsADataDirectory() throws IOException {
        Path file = Files.writeString(dir.resolve("data"), "not a directory");
        IOException e = assertThrows(IOException.class, () -> JournalPersistence.open(Stores.journal(file)));
        assertEquals("data directory " + file + " is a file, not a directory", e.getMessage());
    }

    @Test
    void aMissingDirectoryIsCreatedForThisUserOnlyAndTheLockNamesThisProcess() throws IOException {
        Path data = dir.resolve("a/b/data");
        try (DirectoryLock ignored = DirectoryLock.acquire(data)) {
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data)));
            assertEquals(
                    ProcessHandle.current().pid() + "\n",
                    Files.readString(data.resolve(DataFiles.LOCK), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void closingReleasesTheLock() throws Exception {
        DirectoryLock.acquire(dir).close();
        DirectoryLock.acquire(dir).close();
        assertEquals(LockProbe.GOT_IT, lockFromAnotherProcess(dir));
    }

    @Test
    void anotherProcessCannotTakeAHeldLock() throws Exception {
        try (DirectoryLock ignored = DirectoryLock.acquire(dir)) {
            assertEquals(LockProbe.REFUSED, lockFromAnotherProcess(dir));
        }
    }

    @Test
    void aRefusedSecondOpenInTheSameJvmStillKeepsOtherProcessesOut() throws Exception {
        try (DirectoryLock ignored = DirectoryLock.acquire(dir)) {
            assertThrows(IOException.class, () -> DirectoryLock.acquire(dir));
            assertEquals(
                    LockProbe.REFUSED,
                    lockFromAnotherProcess(dir),
                    "the first holder must still hold the lock after a refused second attempt");
        }
    }
}
