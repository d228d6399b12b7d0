package io.microstore.etcd;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import io.microstore.store.AppNotFound;
import io.microstore.store.Command;
import io.microstore.store.CommitStream;
import io.microstore.store.Compacted;
import io.microstore.store.Engine;
import io.microstore.store.EngineEvents;
import io.microstore.store.EngineStats;
import io.microstore.store.Entry;
import io.microstore.store.Index;
import io.microstore.store.Mutation;
import io.microstore.store.Outcome;
import io.microstore.store.OutcomeUnknown;
import io.microstore.store.PreconditionFailed;
import io.microstore.store.StoreBusy;
import io.microstore.store.StoreUnavailable;
import io.microstore.store.ValueTooLarge;

/**
 * The engine of cluster mode: the data lives in etcd under {@code <prefix>apps/<name>}, seq = etcd
 * revision, an app's seq (ETag) = its key's mod revision. The index is filled by a paginated range at a
 * pinned revision S and then kept up by one watch from S; every instance on the same cluster and prefix
 * sees the same changes with the same seqs.
 *
 * <p>Writes: the command is evaluated against this instance's index (which may lag), then sent as one
 * txn whose compares say "the key is still in the state evaluated against" and whose failure branch reads
 * the key; when the compares fail it is re-evaluated against what etcd returned (bounded). A refusal
 * (412, 404) is only given against a state etcd confirmed. A write is acknowledged once this instance's
 * index has applied its revision (read-your-writes).
 */
public final class EtcdEngine implements Engine {
    private static final System.Logger LOG = System.getLogger(EtcdEngine.class.getName());
    private static final long PAGE = 1000;
    private static final long BACKOFF_MIN_MS = 100;
    private static final long BACKOFF_MAX_MS = 2000;

    private final EtcdClient client;
    private final EtcdConfig config;
    private final byte[] appsPrefix;
    private final KeyRange apps;
    private final ExecutorService writers = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("microstore-etcd-write-", 0).factory());
    private final ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("microstore-etcd-watch").daemon(true).factory());
    private final ReentrantLock appliedLock = new ReentrantLock();
    private final Condition appliedAdvanced = appliedLock.newCondition();
    private final ReentrantLock applyLock = new ReentrantLock(); // one batch at a time into the stream
    private final AtomicInteger inFlight = new AtomicInteger();

    private Index index;
    private CommitStream stream;
    private volatile long applied; // the last revision this instance's index has applied
    private volatile long compactedTo;
    private volatile long compactions;
    private volatile String failure;
    private volatile boolean closed;
    private volatile EngineEvents events = EngineEvents.NONE;
    private volatile Watch watch;
    private volatile int generation; // of the current watch; older listeners are ignored
    private volatile long backoffMs = BACKOFF_MIN_MS;
    private String description;

    /** An engine on {@code client}, keeping its apps under {@code prefix} (e.g. {@code /microstore/}). */
    public EtcdEngine(EtcdClient client, String prefix, EtcdConfig config) {
        this.client = client;
        this.config = config;
        this.appsPrefix = (prefix + "apps/").getBytes(StandardCharsets.UTF_8);
        this.apps = KeyRange.prefix(appsPrefix);
        this.description = "etcd (" + client.endpointCount() + " endpoints)";
    }

    @Override
    public void start(Index committed, CommitStream stream) throws IOException {
        this.index = committed;
        this.stream = stream;
        try {
            MemberStatus status = client.status();
            description = "etcd (" + client.endpointCount() + " endpoints, etcd " + status.version() + ")";
            LOG.log(System.Logger.Level.INFO, "etcd server version " + status.version());
            applyLock.lock();
            try {
                long revision = list();
                stream.loaded(revision);
                advance(revision);
            } finally {
                applyLock.unlock();
            }
            watch = client.watch(apps, applied, new Listener(generation));
        } catch (EtcdException e) {
            throw new IOException("cannot load from etcd: " + e.getMessage(), e);
        }
    }

    /** Restores every app at one revision (the first page's); returns it. Under applyLock. */
    private long list() throws EtcdException {
        RangeResult page = client.range(apps, 0, PAGE);
        long revision = page.revision();
        while (true) {
            for (KeyValue kv : page.kvs()) {
                stream.restore(name(kv.key()), kv.value(), kv.modRevision());
            }
            if (!page.more() || page.kvs().isEmpty()) {
                return revision;
            }
            byte[] last = page.kvs().getLast().key();
            byte[] from = Arrays.copyOf(last, last.length + 1); // the key right after the last one
            page = client.range(apps.from(from), revision, PAGE);
        }
    }

    @Override
    public CompletableFuture<Outcome> submit(Command command) {
        if (closed) {
            throw new StoreUnavailable("the store is shutting down", null);
        }
        if (inFlight.incrementAndGet() > config.maxInFlight()) {
            inFlight.decrementAndGet();
            throw new StoreBusy(config.maxInFlight());
        }
        CompletableFuture<Outcome> result = new CompletableFuture<>();
        try {
            writers.execute(() -> {
                try {
                    result.complete(execute(command));
                } catch (RuntimeException e) {
                    result.completeExceptionally(e);
                } finally {
                    inFlight.decrementAndGet();
                }
            });
        } catch (RuntimeException e) { // rejected: closing
            inFlight.decrementAndGet();
            throw new StoreUnavailable("the store is shutting down", e);
        }
        return result;
    }

    private Outcome execute(Command command) {
        String name = command.name();
        byte[] key = key(name);
        Entry current = index.get(name);
        boolean confirmed = false; // current is a state etcd returned (not just this instance's index)
        try {
            for (int attempt = 0; attempt <= config.casRetries(); attempt++) {
                byte[] data;
                try {
                    if (!command.precondition().allows(current)) {
                        throw new PreconditionFailed(name, current);
                    }
                    data = newValue(command, current);
                } catch (RuntimeException refusal) {
                    if (confirmed) {
                        throw refusal;
                    }
                    // Refused against the index, which may lag: ask etcd whether the key is in that state.
                    TxnResult check = client.txn(List.of(stateIs(key, current)), List.of(), List.of(Op.get(key)));
                    if (check.succeeded()) {
                        throw refusal;
                    }
                    current = entry(check.get(0));
                    confirmed = true;
                    continue;
                }
                boolean unconditional = command.precondition().ifMatch() == null
                        && command.precondition().ifNoneMatch() == null && !(command instanceof Command.Patch);
                if (data == null && current == null && !unconditional) {
                    // a conditional delete of what looks absent: no write, but etcd must confirm the absence
                    TxnResult check = client.txn(List.of(Compare.absent(key)), List.of(), List.of(Op.get(key)));
                    if (check.succeeded()) {
                        return new Outcome(0, null);
                    }
                    current = entry(check.get(0));
                    confirmed = true;
                    continue;
                }
                List<Compare> compares = unconditional ? List.of() : List.of(stateIs(key, current));
                Op write = data == null ? Op.delete(key) : Op.put(key, data);
                TxnResult txn = client.txn(compares, List.of(write), List.of(Op.get(key)));
                if (!txn.succeeded()) {
                    current = entry(txn.get(0));
                    confirmed = true;
                    continue;
                }
                if (data == null && txn.responses().getFirst() instanceof OpResponse.Delete d && d.deleted() == 0) {
                    return new Outcome(0, null); // deleting nothing consumes no revision
                }
                long revision = txn.revision();
                awaitApplied(revision);
                return new Outcome(revision, data == null ? null : new Entry(data, revision));
            }
        } catch (EtcdOutcomeUnknown e) {
            throw new OutcomeUnknown("etcd did not answer whether the write of '" + name + "' was applied: "
                    + e.getMessage(), e);
        } catch (EtcdRejected e) {
            if (tooLarge(e)) {
                throw new ValueTooLarge("etcd refused the write of '" + name + "' (" + e.etcdMessage()
                        + "): the value is larger than etcd accepts (--max-request-bytes)", e);
            }
            throw unavailable(e);
        } catch (EtcdException e) { // EtcdUnreachable
            throw unavailable(e);
        }
        throw new StoreUnavailable("app '" + name + "' changed " + config.casRetries()
                + " times while this write was retried against it; try again", null, 1);
    }

    /**
     * "request is too large" (code 3, over etcd's --max-request-bytes) or gRPC's own "received message
     * larger than max" (code 8, over that plus gRPC's overhead).
     */
    private static boolean tooLarge(EtcdRejected e) {
        String message = String.valueOf(e.etcdMessage());
        return e.code() == EtcdRejected.INVALID_ARGUMENT && message.contains("too large")
                || e.code() == 8 && message.contains("larger than max");
    }

    private static StoreUnavailable unavailable(EtcdException e) {
        String why = e instanceof EtcdRejected r && r.noLeader() ? "etcd has no leader (an election is under way "
                + "or a majority of its members is down)"
                : e instanceof EtcdRejected ? "etcd refused the request" : "etcd is unreachable";
        return new StoreUnavailable(why + ": " + e.getMessage() + "; nothing was written", e, 1);
    }

    /** The compare "the key is in the state {@code current}". */
    private static Compare stateIs(byte[] key, Entry current) {
        return current == null ? Compare.absent(key) : Compare.modRevisionIs(key, current.seq());
    }

    private static Entry entry(RangeResult read) {
        if (read.kvs().isEmpty()) {
            return null;
        }
        KeyValue kv = read.kvs().getFirst();
        return new Entry(kv.value(), kv.modRevision());
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

    /** Waits until this instance's index has applied {@code revision}, bounded. */
    private void awaitApplied(long revision) {
        long deadline = System.nanoTime() + config.ackTimeout().toNanos();
        appliedLock.lock();
        try {
            while (applied < revision) {
                if (closed) {
                    throw new StoreUnavailable("the store is shutting down", null);
                }
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    throw new StoreUnavailable("the write committed at seq " + revision + " but this instance has "
                            + "not seen it yet (its watch of etcd is at " + applied + "); it will show up here soon",
                            null);
                }
                try {
                    appliedAdvanced.awaitNanos(remaining);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new StoreUnavailable("interrupted while waiting for seq " + revision, e);
                }
            }
        } finally {
            appliedLock.unlock();
        }
    }

    private void advance(long revision) {
        appliedLock.lock();
        try {
            if (revision > applied) {
                applied = revision;
            }
            appliedAdvanced.signalAll();
        } finally {
            appliedLock.unlock();
        }
    }

    /** Applies one watch response: its events grouped by revision, each revision one batch. */
    private void apply(List<WatchEvent> received) {
        applyLock.lock();
        try {
            List<Mutation> batch = new ArrayList<>();
            long batchRevision = 0;
            for (WatchEvent event : received) {
                long revision = event.revision();
                if (revision <= applied) {
                    continue; // resumed at the last applied revision: seen already (etcd 3.4 watch bugs)
                }
                if (revision != batchRevision && !batch.isEmpty()) {
                    commit(batch, batchRevision);
                    batch = new ArrayList<>();
                }
                batchRevision = revision;
                String name = name(event.kv().key());
                batch.add(event.type() == WatchEvent.Type.DELETE ? Mutation.delete(revision, name)
                        : Mutation.put(revision, name, event.kv().value()));
            }
            if (!batch.isEmpty()) {
                commit(batch, batchRevision);
            }
        } finally {
            applyLock.unlock();
        }
    }

    private void commit(List<Mutation> batch, long revision) {
        try {
            stream.committed(batch);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "applying a committed batch failed", e);
        }
        events.batch(batch.size());
        advance(revision);
    }

    /** The watch of the current generation, receiving on its own thread. */
    private final class Listener implements WatchListener {
        private final int gen;

        Listener(int gen) {
            this.gen = gen;
        }

        @Override
        public void onCreated(long revision) {
            if (gen == generation) {
                failure = null;
                backoffMs = BACKOFF_MIN_MS;
            }
        }

        @Override
        public void onEvents(long revision, List<WatchEvent> received) {
            if (gen == generation && !closed) {
                apply(received);
            }
        }

        @Override
        public void onCompacted(long compactRevision) {
            if (gen == generation && !closed) {
                LOG.log(System.Logger.Level.WARNING, "the watch of etcd fell behind its compaction (at "
                        + compactRevision + "): listing the apps again; feed clients get 410");
                schedule(0, true);
            }
        }

        @Override
        public void onClosed(EtcdException cause) {
            if (gen == generation && !closed && cause != null) {
                failure = "the watch of etcd broke (" + cause.getMessage() + "); reconnecting";
                LOG.log(System.Logger.Level.WARNING, failure);
                schedule(backoffMs, false);
            }
        }
    }

    private void schedule(long delayMs, boolean relist) {
        if (closed) {
            return;
        }
        try {
            watcher.schedule(() -> reconnect(relist), delayMs, TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            // closing
        }
    }

    /** On the watcher thread: a new watch from the last applied revision, after a re-list if asked. */
    private void reconnect(boolean relist) {
        if (closed) {
            return;
        }
        int gen = ++generation;
        try {
            if (relist) {
                applyLock.lock();
                try {
                    stream.reset();
                    long revision = list();
                    stream.loaded(revision);
                    advance(revision);
                } finally {
                    applyLock.unlock();
                }
            }
            watch = client.watch(apps, applied, new Listener(gen));
        } catch (EtcdException e) {
            if (closed) {
                return;
            }
            boolean compacted = e instanceof EtcdRejected r && r.compacted();
            failure = "etcd is unreachable (" + e.getMessage() + "); reconnecting";
            long delay = backoffMs;
            backoffMs = Math.min(backoffMs * 2, BACKOFF_MAX_MS);
            schedule(delay, relist || compacted);
        }
    }

    @Override
    public CompletableFuture<Compacted> compact() {
        if (closed) {
            throw new StoreUnavailable("the store is shutting down", null);
        }
        return CompletableFuture.supplyAsync(() -> {
            long start = System.nanoTime();
            long target = applied - config.keepRevisions();
            if (target <= 0) {
                return null;
            }
            if (target > compactedTo) {
                try {
                    client.compact(target);
                } catch (EtcdRejected e) {
                    if (!e.compacted()) {
                        throw unavailable(e);
                    }
                } catch (EtcdOutcomeUnknown e) {
                    throw new OutcomeUnknown("etcd did not answer the compaction: " + e.getMessage(), e);
                } catch (EtcdException e) {
                    throw unavailable(e);
                }
                compactedTo = target;
                compactions++;
            }
            return new Compacted(target, index.size(), 0, Duration.ofNanos(System.nanoTime() - start));
        }, writers);
    }

    @Override
    public String failure() {
        return closed ? "the store is closed" : failure;
    }

    @Override
    public EngineStats stats() {
        return new EngineStats(inFlight.get(), 0, 0, compactions);
    }

    @Override
    public void observe(EngineEvents events) {
        this.events = events;
    }

    @Override
    public String describe() {
        return description;
    }

    /** The last revision this instance's index has applied. */
    public long appliedRevision() {
        return applied;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        generation++;
        watcher.shutdownNow();
        Watch w = watch;
        if (w != null) {
            w.close();
        }
        appliedLock.lock();
        try {
            appliedAdvanced.signalAll();
        } finally {
            appliedLock.unlock();
        }
        writers.shutdown();
        try {
            if (!writers.awaitTermination(10, TimeUnit.SECONDS)) {
                writers.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        client.close();
    }

    private byte[] key(String name) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        byte[] key = Arrays.copyOf(appsPrefix, appsPrefix.length + n.length);
        System.arraycopy(n, 0, key, appsPrefix.length, n.length);
        return key;
    }

    private String name(byte[] key) {
        return new String(key, appsPrefix.length, key.length - appsPrefix.length, StandardCharsets.UTF_8);
    }

    /** How long {@link #awaitConsistent} waits for this instance's index to reach etcd's revision. */
    private static final Duration CONSISTENT_WAIT = Duration.ofSeconds(3);

    /**
     * A linearizable read's barrier: takes etcd's current revision by a quorum read, then waits (at most
     * {@link #CONSISTENT_WAIT}) until this instance's index has applied it.
     */
    @Override
    public void awaitConsistent() {
        if (closed) {
            throw new StoreUnavailable("the store is shutting down", null);
        }
        long revision;
        try {
            revision = client.currentRevision();
        } catch (EtcdException e) {
            String why = e instanceof EtcdRejected r && r.noLeader() ? "etcd has no leader"
                    : e instanceof EtcdRejected ? "etcd refused the request" : "etcd is unreachable";
            throw new StoreUnavailable(why + " (" + e.getMessage() + "): a consistent read needs etcd's current "
                    + "revision; a read without ?consistent is served from this instance's index", e, 1);
        }
        if (applied >= revision) {
            return;
        }
        long deadline = System.nanoTime() + CONSISTENT_WAIT.toNanos();
        appliedLock.lock();
        try {
            while (applied < revision) {
                long remaining = deadline - System.nanoTime();
                if (closed) {
                    throw new StoreUnavailable("the store is shutting down", null);
                }
                if (remaining <= 0) {
                    throw new StoreUnavailable("this instance is behind etcd: it has applied seq " + applied
                            + " of " + revision + " after " + CONSISTENT_WAIT.toSeconds() + " s; try again, or read "
                            + "without ?consistent", null, 1);
                }
                try {
                    appliedAdvanced.awaitNanos(remaining);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new StoreUnavailable("interrupted while waiting for seq " + revision, e);
                }
            }
        } finally {
            appliedLock.unlock();
        }
    }
}
