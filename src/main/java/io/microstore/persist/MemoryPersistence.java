package io.microstore.persist;

import java.util.List;

/** Keeps nothing: the store lives in memory only and is gone when the process ends. */
public final class MemoryPersistence implements Persistence {
    @Override
    public long load(RecoverySink sink) {
        return 0;
    }

    @Override
    public void add(long seq, String name, byte[] data, long expires) {
    }

    @Override
    public void add(long seq, List<Write> writes) {
    }

    @Override
    public void write() {
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
