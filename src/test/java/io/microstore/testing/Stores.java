package io.microstore.testing;

import java.io.IOException;
import java.io.UncheckedIOException;

import io.microstore.local.LocalConfig;
import io.microstore.local.LocalEngine;
import io.microstore.persist.MemoryPersistence;
import io.microstore.persist.Persistence;
import io.microstore.store.Command;
import io.microstore.store.Precondition;
import io.microstore.store.Store;
import io.microstore.store.feed.FeedConfig;

/** Loaded stores on the local engine, for tests: in memory, or on the persistence given. */
public final class Stores {
    private Stores() {
    }

    public static Store memory() {
        return memory(FeedConfig.DEFAULTS);
    }

    public static Store memory(FeedConfig feed) {
        try {
            return open(new MemoryPersistence(), LocalConfig.DEFAULTS, feed);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Store open(Persistence persistence) throws IOException {
        return open(persistence, LocalConfig.DEFAULTS);
    }

    public static Store open(Persistence persistence, LocalConfig config) throws IOException {
        return open(persistence, config, FeedConfig.DEFAULTS);
    }

    public static Store open(Persistence persistence, LocalConfig config, FeedConfig feed) throws IOException {
        return Store.open(new LocalEngine(persistence, config), feed);
    }

    /** Deletes every app straight in the store, not through an API under test. */
    public static void empty(Store store) {
        store.list("", null, Integer.MAX_VALUE).items()
                .forEach(item -> store.execute(new Command.Delete(item.getKey(), Precondition.NONE)));
    }
}
