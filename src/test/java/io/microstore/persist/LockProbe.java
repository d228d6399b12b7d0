package io.microstore.persist;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Run by {@link DirectoryLockTest} in a child JVM, as another microstore process would: tries to take a
 * data directory's lock and exits with {@link #GOT_IT} or {@link #REFUSED}.
 */
public final class LockProbe {
    static final int GOT_IT = 0;
    static final int REFUSED = 3;

    private LockProbe() {}

    public static void main(String[] args) {
        try (DirectoryLock ignored = DirectoryLock.acquire(Path.of(args[0]))) {
            System.exit(GOT_IT);
        } catch (IOException e) {
            System.err.println(e.getMessage());
            System.exit(REFUSED);
        }
    }
}
