package io.microstore.persist;

import java.io.IOException;

/**
 * Another process (or this one) holds the data directory's lock. A type of its own because the start ends
 * with a status of its own: a supervisor may retry this one, unlike damage or a bad setting.
 */
public final class DirectoryInUse extends IOException {
    DirectoryInUse(String message) {
        super(message);
    }
}
