package io.microstore.persist;

import io.microstore.commit.Change;
import io.microstore.commit.Commit;

/**
 * One decoded record of a journal or snapshot: its commit, and whether it was written as a transaction
 * record ({@code txn}: a snapshot holds plain records only).
 */
record JournalRecord(Commit commit, boolean txn) {
    /** The change of a plain record. */
    Change change() {
        return commit.only();
    }
}
