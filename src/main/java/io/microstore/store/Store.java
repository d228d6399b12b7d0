package io.microstore.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;

import io.microstore.persist.Compaction;
import io.microstore.persist.Persistence;

/**
 * The datastore. Reads come straight from the committed {@link Index}, without waiting for anything.
 * Writes are queued for the single {@link Writer}, which commits them in batches and publishes them
 * to the index, the {@link ChangeFeed} and other {@link CommitListener}s only once durable.
 */
public final class Store implements AutoCloseable {
    private final Persistence persistence;
    private final StoreConfig config;
    private final Index index = new Index();
    private final ChangeFeed feed;
    private final List<CommitListener> listeners;
    private volatile WorkerStats stats = WorkerStats.NONE;
    private volatile Writer writer; // set once by load()

    private Store(Persistence persistence, StoreConfig config, CommitListener... extra) {
        this.persistence = persistence;
        this.config = config;
        this.feed = new ChangeFeed(config.feed());
        this.listeners = new CopyOnWriteArrayList<>(List.of(extra));
        this.listeners.addFirst(feed);
    }

    /** {@link #create} and {@link #load}: the usual way to get a store. */
    public static Store open(Persistence persistence, StoreConfig config, CommitListener... extra)
            throws IOException {
        return create(persistence, config, extra).load();
    }

    /**
     * A store that is not loaded yet: it may be wired into a server (which must not be started) while
     * {@link #load} runs, so the server's set-up and a long journal replay take turns on the CPU.
     */
    public static Store create(Persistence persistence, StoreConfig config, CommitListener... extra) {
        return new Store(persistence, config, extra);
    }

    /**
     * Loads the durable state from persistence, hands the replayed journal tail to the changes feed and
     * the other listeners, as well as every later commit, and starts the writer. Call once.
     */
    public Store load() throws IOException {
        long lastSeq = persistence.load(new Persistence.RecoverySink() {
            @Override
            public void restore(String name, byte[] data, long seq) {
                index.put(name, new Entry(data, seq));
            }

            @Override
            public void replay(Mutation mutation) {
                index.apply(mutation);
                listeners.forEach(l -> l.restored(mutation));
            }

            @Override
            public void reset() {
                index.clear();
            }
        });
        listeners.forEach(l -> l.loaded(lastSeq));
        writer = new Writer(persistence, config, index, listeners, lastSeq, stats);
        return this;
    }

    /** The committed entry for {@code name}, or null. Never waits for the worker. */
    public Entry get(String name) {
        return index.get(name);
    }

    /** A page of committed entries; see {@link Index#list}. */
    public Page list(String prefix, String after, int limit) {
        return index.list(prefix, after, limit);
    }

    public Index index() {
        return index;
    }

    /** The changes feed: the recent commit stream, for clients to follow. */
    public ChangeFeed feed() {
        return feed;
    }

    /** Sequence number of the last committed mutation. */
    public long lastSeq() {
        return writer.lastSeq();
    }

    /**
     * Queues {@code command} and waits until it is committed (durable per the fsync policy) or refused.
     *
     * @throws StoreBusy when the queue is full
     * @throws StoreUnavailable when the store is closing or has stopped after a persistence failure
     * @throws PreconditionFailed, AppNotFound, or whatever a {@link Command.Change} throws
     */
    public Outcome execute(Command command) {
        Pending pending = new Pending(command, new CompletableFuture<>());
        writer.enqueue(pending);
        try {
            return pending.result().join();
        } catch (CompletionException e) {
            throw unwrap(e);
        }
    }

    /**
     * Compacts persistence now, after every write queued before this call, and waits for the new
     * snapshot to be durable. Returns null for persistence without snapshots (memory).
     */
    public Compaction compact() {
        CompletableFuture<Compaction> done = new CompletableFuture<>();
        Pending pending = new Pending(null, new CompletableFuture<>(), () -> persistence.compact(index)
                .whenComplete((c, e) -> {
                    if (e != null) {
                        done.completeExceptionally(e);
                    } else {
                        done.complete(c);
                    }
                }));
        writer.enqueue(pending);
        try {
            pending.result().join(); // fails when the store has failed or is closing
            return done.join();
        } catch (CompletionException e) {
            throw unwrap(e);
        }
    }

    private static RuntimeException unwrap(CompletionException e) {
        return switch (e.getCause()) {
            case RuntimeException cause -> cause;
            case IOException cause -> new StoreUnavailable("persistence failed: " + cause.getMessage(), cause);
            default -> e;
        };
    }

    /** Stops taking writes, finishes the queued ones, syncs and closes persistence. */
    @Override
    public void close() {
        if (writer.closing()) {
            return;
        }
        writer.stop();
        feed.close();
        try (Persistence closing = persistence) { // closed (and the directory released) even if the sync fails
            if (writer.failure() == null) {
                closing.sync();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("closing persistence failed", e);
        }
    }

    /** Why the store stopped taking writes (failed or closed), or null while it takes them. */
    public String failure() {
        StoreUnavailable failed = writer.failure();
        return failed != null ? failed.getMessage() : writer.closing() ? "the store is closed" : null;
    }

    /** Writes waiting for the worker. */
    public int queued() {
        return writer.queued();
    }

    public Persistence persistence() {
        return persistence;
    }

    /** Reports batches and syncs to {@code stats} from now on. */
    public void observe(WorkerStats stats) {
        this.stats = stats;
        Writer started = writer;
        if (started != null) {
            started.observe(stats);
        }
    }

    /**
     * Queues all {@code commands} at once, so they commit in as few batches (and syncs) as possible,
     * and waits for all. Each result is an {@link Outcome} or the exception that command got.
     */
    public List<Object> executeAll(List<Command> commands) {
        List<Pending> pending = new ArrayList<>(commands.size());
        List<Object> results = new ArrayList<>(commands.size());
        for (Command command : commands) {
            Pending p = new Pending(command, new CompletableFuture<>());
            try {
                writer.enqueue(p);
                pending.add(p);
            } catch (RuntimeException e) {
                pending.add(new Pending(command, CompletableFuture.failedFuture(e)));
            }
        }
        for (Pending p : pending) {
            try {
                results.add(p.result().join());
            } catch (CompletionException e) {
                results.add(unwrap(e));
            }
        }
        return results;
    }
}
