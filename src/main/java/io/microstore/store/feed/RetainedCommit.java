package io.microstore.store.feed;

import io.microstore.commit.Change;
import io.microstore.commit.Commit;
import io.microstore.store.Entry;

/** A commit of several changes in the window, with the entries they replaced ({@code priors} null: unknown). */
record RetainedCommit(Commit commit, Entry[] priors) implements Retained {
    @Override
    public long seq() {
        return commit.seq();
    }

    @Override
    public int size() {
        return commit.changes().size();
    }

    @Override
    public Change change(int i) {
        return commit.changes().get(i);
    }

    @Override
    public String name(int i) {
        return change(i).name();
    }

    @Override
    public byte[] data(int i) {
        return change(i).data();
    }

    @Override
    public Entry prior(int i) {
        return priors == null ? null : priors[i];
    }
}
