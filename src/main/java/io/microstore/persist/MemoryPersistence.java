package io.microstore.persist;

import io.microstore.commit.Commit;
import io.microstore.commit.CommitStream;

/** Keeps nothing: the store lives in memory only and is gone when the process ends. */
public final class MemoryPersistence implements Persistence {
    @Override
    public long load(CommitStream stream) {
        return 0;
    }

    @Override
    public void append(Commit commit) {}

    @Override
    public void write() {}

    @Override
    public void sync() {}

    @Override
    public boolean forces() {
        return false;
    }

    @Override
    public String describe() {
        return "in memory only";
    }

    @Override
    public void close() {}
}
