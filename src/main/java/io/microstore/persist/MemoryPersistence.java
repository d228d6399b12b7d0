package io.microstore.persist;

import java.util.List;

import io.microstore.store.Mutation;

/** Keeps nothing: the store lives in memory only and is gone when the process ends. */
public final class MemoryPersistence implements Persistence {
    @Override
    public long load(RecoverySink sink) {
        return 0;
    }

    @Override
    public void append(List<Mutation> batch) {
    }

    @Override
    public void sync() {
    }

    @Override
    public String describe() {
        return "in memory only";
    }

    @Override
    public void close() {
    }
}
