package io.microstore.persist;

/** A line of a journal or snapshot file that is not a valid record; says why. Cheap: no stack trace. */
final class BadRecord extends Exception {
    BadRecord(String reason) {
        super(reason, null, false, false);
    }
}
