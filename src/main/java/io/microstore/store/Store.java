package io.microstore.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.microstore.persist.Compaction;
import io.microstore.persist.Persistence;

/**
 * The datastore. Reads come straight from the committed {@link Index}. Every write goes through
 * one platform worker thread that drains what has queued, checks each command's precondition,
 * gives each mutation the next sequence number, appends the batch to {@link Persistence}, syncs
 * it per the fsync policy, and only then publishes it to the index, acknowledges it and hands it
 * to the {@link CommitListener}s (apply after commit: nothing is visible before it is durable).
 */
public final class Store implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Store.class.getName());
    private static final int MAX_BATCH = 1024;
    private static final long IDLE_POLL_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Queued by {@link #close()} to wake the worker; carries no command. */
    private static final Pending WAKE = new Pending(null, null, null);

    private final Persistence persistence;
    private final StoreConfig config;
    private final Index index = new Index();
    private final ChangeFeed feed;
    private final BlockingQueue<Pending> queue;
    private final List<CommitListener> listeners = new CopyOnWriteArrayList<>();
    private final Thread worker;
    private volatile long lastSeq;
    private volatile boolean closing;
    private volatile StoreUnavailable failure;
    private volatile WorkerStats stats = WorkerStats.NONE;
    // Worker-only state.
    private boolean unsynced;
    private long lastSyncNanos = System.nanoTime();

    private Store(Persistence persistence, StoreConfig config) {
        this.persistence = persistence;
        this.config = config;
        this.queue = new LinkedBlockingQueue<>(config.queueCapacity());
        this.feed = new ChangeFeed(config.feed());
        this.listeners.add(feed);
        this.worker = Thread.ofPlatform().name("microstore-worker").daemon(true).unstarted(this::run);
    }

    /**
     * Loads the durable state from {@code persistence}, hands the replayed journal tail to the changes
     * feed and {@code listeners}, as well as every later commit, and starts the worker.
     */
    public static Store open(Persistence persistence, StoreConfig config, CommitListener... listeners)
            throws IOException {
        Store store = new Store(persistence, config);
        store.listeners.addAll(List.of(listeners));
        store.lastSeq = persistence.load(new Persistence.RecoverySink() {
            @Override
            public void restore(String name, byte[] data, long seq) {
                store.index.put(name, new Entry(data, seq));
            }

            @Override
            public void replay(Mutation mutation) {
                store.index.apply(mutation);
                store.listeners.forEach(l -> l.restored(mutation));
            }

            @Override
            public void reset() {
                store.index.clear();
            }
        });
        store.listeners.forEach(l -> l.loaded(store.lastSeq));
        store.worker.start();
        return store;
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
        return lastSeq;
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
        enqueue(pending);
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
        enqueue(pending);
        try {
            pending.result().join(); // fails when the store has failed or is closing
            return done.join();
        } catch (CompletionException e) {
            throw unwrap(e);
        }
    }

    private void enqueue(Pending pending) {
        StoreUnavailable failed = failure;
        if (failed != null) {
            throw failed;
        }
        if (closing) {
            throw shuttingDown();
        }
        if (!queue.offer(pending)) {
            throw new StoreBusy(config.queueCapacity());
        }
        // close() may have let the worker finish between the check above and the offer.
        if (closing && queue.remove(pending)) {
            throw shuttingDown();
        }
    }

    private static RuntimeException unwrap(CompletionException e) {
        return switch (e.getCause()) {
            case RuntimeException cause -> cause;
            case java.io.IOException cause -> new StoreUnavailable("persistence failed: " + cause.getMessage(), cause);
            default -> e;
        };
    }

    /** Stops taking writes, finishes the queued ones, syncs and closes persistence. */
    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        queue.offer(WAKE);
        try {
            worker.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        feed.close();
        try (Persistence closing = persistence) { // closed (and the directory released) even if the sync fails
            if (failure == null) {
                closing.sync();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("closing persistence failed", e);
        }
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(MAX_BATCH);
        long pollNanos = config.fsync() == FsyncPolicy.INTERVAL ? config.fsyncInterval().toNanos() : IDLE_POLL_NANOS;
        while (true) {
            Pending first;
            try {
                first = queue.poll(pollNanos, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                first = null;
            }
            if (first != null) {
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
                try {
                    commit(batch);
                } catch (Throwable t) { // anything unexpected must not leave clients waiting forever
                    failStop(t);
                    batch.forEach(p -> fail(p, failure));
                }
                batch.clear();
            }
            syncIfDue();
            if (closing && queue.isEmpty()) {
                return;
            }
        }
    }

    private void commit(List<Pending> batch) {
        if (failure != null) {
            batch.forEach(p -> fail(p, failure));
            return;
        }
        Map<String, Entry> overlay = new HashMap<>(); // this batch's uncommitted results; null = deleted
        List<Mutation> mutations = new ArrayList<>(batch.size());
        Outcome[] outcomes = new Outcome[batch.size()];
        long seq = lastSeq;
        for (int i = 0; i < batch.size(); i++) {
            Command command = batch.get(i).command();
            if (command == null) {
                continue; // a task or the wake-up marker
            }
            String name = command.name();
            Entry current = overlay.containsKey(name) ? overlay.get(name) : index.get(name);
            try {
                if (!command.precondition().allows(current)) {
                    throw new PreconditionFailed(name, current);
                }
                byte[] data = newValue(command, current);
                if (data == null && current == null) {
                    outcomes[i] = new Outcome(0, null); // deleting nothing changes nothing
                    continue;
                }
                seq++;
                Entry after = data == null ? null : new Entry(data, seq);
                overlay.put(name, after);
                mutations.add(new Mutation(seq, data == null ? Op.DELETE : Op.PUT, name, data));
                outcomes[i] = new Outcome(seq, after);
            } catch (RuntimeException e) {
                batch.get(i).result().completeExceptionally(e);
            }
        }
        if (!mutations.isEmpty()) {
            try {
                persistence.append(mutations);
                if (config.fsync() == FsyncPolicy.ALWAYS) {
                    sync();
                } else {
                    unsynced = true;
                }
                stats.batch(mutations.size());
            } catch (IOException | RuntimeException e) {
                failStop(e);
                batch.forEach(p -> fail(p, failure)); // a no-op for those refused already
                return;
            }
            for (Mutation m : mutations) {
                Entry entry = overlay.get(m.name());
                if (entry != null && entry.seq() == m.seq()) {
                    index.put(m.name(), entry); // the same object the outcome carries
                } else {
                    index.apply(m);
                }
            }
            lastSeq = seq;
        }
        for (int i = 0; i < outcomes.length; i++) {
            if (outcomes[i] != null) {
                batch.get(i).result().complete(outcomes[i]);
            }
        }
        if (!mutations.isEmpty()) {
            publish(mutations);
            persistence.committed(index);
        }
        for (Pending p : batch) {
            if (p.task() != null) {
                p.task().run();
                p.result().complete(null);
            }
        }
    }

    /** The value a command writes: its data, null for a delete, or a patch computed from {@code current}. */
    private static byte[] newValue(Command command, Entry current) {
        return switch (command) {
            case Command.Put put -> put.data();
            case Command.Delete ignored -> null;
            case Command.Patch patch -> {
                if (current == null) {
                    throw new AppNotFound(patch.name());
                }
                yield patch.change().apply(patch.name(), current);
            }
        };
    }

    private void publish(List<Mutation> mutations) {
        for (CommitListener listener : listeners) {
            try {
                listener.committed(mutations);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "commit listener failed", e);
            }
        }
    }

    private void syncIfDue() {
        if (!unsynced || failure != null || config.fsync() != FsyncPolicy.INTERVAL) {
            return;
        }
        long now = System.nanoTime();
        if (now - lastSyncNanos < config.fsyncInterval().toNanos()) {
            return;
        }
        try {
            sync();
        } catch (IOException | RuntimeException e) {
            failStop(e);
        }
    }

    private void sync() throws IOException {
        long start = System.nanoTime();
        persistence.sync();
        lastSyncNanos = System.nanoTime();
        unsynced = false;
        stats.synced(lastSyncNanos - start);
    }

    /** After a failed write or fsync nothing more is written: the file's state is unknown (never retry an fsync). */
    private void failStop(Throwable cause) {
        if (failure == null) {
            LOG.log(System.Logger.Level.ERROR, "persistence failed; the store takes no more writes", cause);
            failure = new StoreUnavailable("the store stopped taking writes after a persistence failure: " + cause, cause);
        }
    }

    private static void fail(Pending pending, RuntimeException e) {
        if (pending.result() != null) {
            pending.result().completeExceptionally(e);
        }
    }

    private static StoreUnavailable shuttingDown() {
        return new StoreUnavailable("the store is shutting down", null);
    }

    /** True when the store still takes writes (open, not failed). */
    public boolean writable() {
        return failure == null && !closing;
    }

    /** Why the store stopped taking writes, or null. */
    public String failure() {
        StoreUnavailable failed = failure;
        return failed != null ? failed.getMessage() : closing ? "the store is closed" : null;
    }

    /** Writes waiting for the worker. */
    public int queued() {
        return queue.size();
    }

    public Persistence persistence() {
        return persistence;
    }

    /** Reports batches and syncs to {@code stats} from now on. */
    public void observe(WorkerStats stats) {
        this.stats = stats;
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
                enqueue(p);
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
