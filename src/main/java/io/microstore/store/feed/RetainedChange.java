package io.microstore.store.feed;

import java.util.Objects;

import io.microstore.commit.Change;
import io.microstore.commit.Commit;
import io.microstore.store.Entry;

/** A commit of one change in the window, with the entry it replaced, as one object (see {@link Retained}). */
record RetainedChange(long seq, String name, byte[] data, long expires, boolean expired, Entry prior)
        implements Retained {
    @Override
    public Commit commit() {
        return Commit.of(seq, change(0));
    }

    @Override
    public int size() {
        return 1;
    }

    @Override
    public Change change(int i) {
        Objects.checkIndex(i, 1);
        return new Change(name, data, expires, expired);
    }

    @Override
    public String name(int i) {
        Objects.checkIndex(i, 1);
        return name;
    }

    @Override
    public byte[] data(int i) {
        Objects.checkIndex(i, 1);
        return data;
    }

    @Override
    public Entry prior(int i) {
        Objects.checkIndex(i, 1);
        return prior;
    }
}
