package io.microstore.store;

import java.io.IOException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import io.microstore.commit.Compaction;
import io.microstore.commit.Stats;
import io.microstore.store.feed.ChangeFeed;
import io.microstore.store.feed.FeedConfig;

/**
 * The datastore, and the only door to it: it checks names, serves reads from the committed
 * {@link Index} without waiting for anything, owns the {@link ChangeFeed}, and hands every write to
 * its {@link Engine}. The engine's commit stream updates the index and then the feed, so both show a
 * change only once it is durable, and before the write that made it is acknowledged.
 *
 * <p>It keeps the memory quota ({@code store.max-bytes}): the apps take {@link #usedBytes} (values,
 * names and {@link Index#APP_OVERHEAD} each), and a write that would take them over the limit is refused
 * ({@link Quota}). The changes feed keeps overwritten and deleted values ({@link #feedBytes}) only in the
 * room the apps leave and gives it up as they grow ({@link Applier}), so the two together stay within
 * the limit and a DELETE frees room at once.
 */
public final class Store implements AutoCloseable {
    private final Engine engine;
    private final Index index = new Index();
    private final ChangeFeed feed;
    private final Quota quota;
    private final Indexes indexes;
    private final Keys keys;
    private volatile boolean loaded;
    /** How often a patch is computed before its app changing under it every time is a 503. */
    private static final int PATCH_ATTEMPTS = 64;

    /**
     * The longest a value may be given to live ({@code ?ttl=}, an imported deadline): 30 days, well inside
     * what an etcd lease takes.
     */
    public static final Duration MAX_TTL = Duration.ofDays(30);

    private Store(Engine engine, FeedConfig feed, long maxBytes) {
        this.engine = engine;
        this.quota = new Quota(index, maxBytes);
        this.feed = new ChangeFeed(feed, this::current, engine::catchUp);
        this.indexes = new Indexes(
                index, command -> commit(Transaction.of(command)).results().getFirst());
        index.maintain(indexes);
        this.keys =
                new Keys(command -> commit(Transaction.of(command)).results().getFirst());
        index.catalog.listen(keys::record);
        keys.onRevoke(this.feed::nudge); // a revoked key's long-polls and streams look again at once
        keys.catchUp(this::awaitConsistent);
        indexes.catchUp(this::awaitConsistent); // a define that lost a race waits for the winner's definition
    }

    /** {@link #create} and {@link #load}: the usual way to get a store. */
    public static Store open(Engine engine, FeedConfig feed) throws IOException {
        return create(engine, feed).load();
    }

    /** {@link #open} with a memory quota of {@code maxBytes}. */
    public static Store open(Engine engine, FeedConfig feed, long maxBytes) throws IOException {
        return create(engine, feed, maxBytes).load();
    }

    /**
     * A store that is not loaded yet: it may be wired into a server (which must not be started) while
     * {@link #load} runs, so the server's set-up and a long journal replay take turns on the CPU.
     */
    public static Store create(Engine engine, FeedConfig feed) {
        return new Store(engine, feed, Long.MAX_VALUE);
    }

    /** {@link #create} with a memory quota of {@code maxBytes} ({@code store.max-bytes}). */
    public static Store create(Engine engine, FeedConfig feed, long maxBytes) {
        return new Store(engine, feed, maxBytes);
    }

    /** Starts the engine, which loads the durable state into the index and the feed. Call once. */
    public Store load() throws IOException {
        engine.start(index, new Applier(index, indexes, feed, quota.maxBytes()));
        loaded = true;
        return this;
    }

    /** The committed entry for {@code name}, or null. Never waits for the engine. */
    public Entry get(String name) {
        return index.get(Names.check(name));
    }

    /**
     * Waits until the index holds every write acknowledged before this call (by this or any other
     * instance), so the reads after it are linearizable ({@code ?consistent}). Plain reads skip it.
     *
     * @throws StoreUnavailable when the engine cannot make sure of it in time
     */
    public void awaitConsistent() {
        if (!loaded) {
            throw new StoreUnavailable("the store is still loading", null, 1);
        }
        engine.awaitConsistent();
    }

    /** A page of committed entries; see {@link Index#list}. */
    public Page list(String prefix, String after, int limit) {
        return index.list(prefix, after, limit);
    }

    /** {@link #list(String, String, int)} of the names {@code scope} may read only. */
    public Page list(String prefix, String after, int limit, Scope scope) {
        return index.list(prefix, after, limit, scope);
    }

    /**
     * A page of {@code query}'s answer, examining at most {@code budget} apps ({@code store.query.scan-budget}),
     * so that no request does unbounded work. In name order a page not full when the budget runs out is
     * answered with what it has and resumes after the last app examined. An order needs every match before
     * its first row, and a count every app, so those beyond the budget are refused instead.
     *
     * @throws IndexRequired when an order or count would examine more than {@code budget} apps
     */
    public QueryPage query(Query query, long budget) {
        return query(query, budget, Scope.ALL);
    }

    /**
     * {@link #query(Query, long)} over the names {@code scope} may read only: pages, counts and cursors are computed
     * over those. A scope that is not every name is answered by a scan (an index's counts are over every app).
     */
    public QueryPage query(Query query, long budget, Scope scope) {
        long seq = lastSeq(); // before the walk: every change up to it is in what the walk sees
        return index.whole(() -> {
            QueryPage planned = scope.all() ? Planner.page(index, indexes.ready(), query, budget, seq) : null;
            return planned != null ? planned : new QueryScan(index, query, budget, seq, scope).page();
        });
    }

    /** The secondary indexes: definitions, states, and what the planner uses. */
    public Indexes indexes() {
        return indexes;
    }

    /**
     * A page of {@code query}'s answer rolled up at {@code delimiter} ({@link Rollup}), within the same budget; the
     * position is {@code query.afterName()}, a scan cut by the budget when {@code resumeScan}.
     *
     * @throws IndexRequired when a count would examine more than {@code budget} apps
     */
    public RollupPage rollup(Query query, String delimiter, boolean resumeScan, long budget) {
        return rollup(query, delimiter, resumeScan, budget, Scope.ALL);
    }

    /** {@link #rollup(Query, String, boolean, long)} over the names {@code scope} may read only. */
    public RollupPage rollup(Query query, String delimiter, boolean resumeScan, long budget, Scope scope) {
        long seq = lastSeq(); // before the walk, as for query
        return index.whole(() -> new Rollup(index, query, delimiter, resumeScan, budget, seq, scope).page());
    }

    /** The API keys: those of the config file and those made through the API. */
    public Keys keys() {
        return keys;
    }

    /** Every committed app in name order, weakly consistent (for export). */
    public Iterable<Map.Entry<String, Entry>> entries() {
        return index.entries();
    }

    /** Number of apps. */
    public int size() {
        return index.size();
    }

    /**
     * Blocks until {@code name} is no longer at {@code seen} (changed or deleted), the time is up or the
     * store closes; returns what it holds then (null when deleted).
     */
    public Entry watch(String name, Entry seen, Duration wait) {
        return watch(name, seen, wait, () -> true);
    }

    /** {@link #watch(String, Entry, Duration)} that also ends once {@code wanted} is false (the caller's key revoked). */
    public Entry watch(String name, Entry seen, Duration wait, java.util.function.BooleanSupplier wanted) {
        Names.check(name);
        try (ChangeFeed.Waiter waiter = feed.subscribe()) {
            waiter.await(wait, () -> index.get(name) != seen || !wanted.getAsBoolean() ? Boolean.TRUE : null);
        }
        return index.get(name);
    }

    /** The changes feed: the recent commit stream, for clients to follow. */
    public ChangeFeed feed() {
        return feed;
    }

    /** Sequence number of the last committed change. */
    public long lastSeq() {
        return feed.lastSeq();
    }

    /**
     * Hands {@code command} to the engine and waits until it is committed (durable) or refused.
     *
     * @throws InvalidName when the command's name is not a valid app name
     * @throws StoreBusy when too many writes are waiting
     * @throws StoreUnavailable when the store takes no writes now
     * @throws PreconditionFailed, AppNotFound, or whatever a {@link Command.Change} throws
     */
    public Outcome execute(Command command) {
        Names.check(command.name());
        return commit(Transaction.of(command)).results().getFirst();
    }

    /**
     * Hands {@code txn} to the engine and waits until all of it is committed (durable, with one seq) or
     * none of it is.
     *
     * @throws TxnRefused naming the command that refused it (an invalid name included) and why
     * @throws StoreBusy when too many writes are waiting
     * @throws StoreUnavailable when the store takes no writes now
     */
    public TxnOutcome execute(Transaction txn) {
        for (int i = 0; i < txn.size(); i++) {
            try {
                Names.check(txn.commands().get(i).name());
            } catch (InvalidName e) {
                throw txn.refusal(i, e);
            }
        }
        return commit(txn);
    }

    /**
     * Computes the transaction's patches here, on the caller's thread, over the apps' current entries, and
     * commits it; the engine takes each patch only while its app is still at the version it was computed
     * over. A patch whose app changed meanwhile is computed again over the new version, a bounded number
     * of times (as cluster mode retries a txn whose compares failed).
     */
    private TxnOutcome commit(Transaction txn) {
        for (int attempt = 1; ; attempt++) {
            try {
                return join(quota.submit(txn.prepare(index::get), engine));
            } catch (Stale stale) {
                if (attempt == PATCH_ATTEMPTS) {
                    throw new StoreUnavailable(
                            "app '" + stale.name() + "' changed " + PATCH_ATTEMPTS
                                    + " times while its patch was computed; try again",
                            null,
                            1);
                }
            }
        }
    }

    /**
     * Hands all {@code commands} to the engine at once, so they commit in as few batches (and syncs) as
     * possible, and waits for all. Each result is an {@link Outcome} or the exception that command got.
     */
    public List<Object> executeAll(List<Command> commands) {
        List<CompletableFuture<TxnOutcome>> pending = new ArrayList<>(commands.size());
        for (Command command : commands) {
            try {
                Names.check(command.name());
                pending.add(quota.submit(Transaction.of(command).prepare(index::get), engine));
            } catch (RuntimeException e) {
                pending.add(CompletableFuture.failedFuture(e));
            }
        }
        List<Object> results = new ArrayList<>(commands.size());
        for (CompletableFuture<TxnOutcome> p : pending) {
            try {
                results.add(join(p).results().getFirst());
            } catch (RuntimeException e) {
                results.add(e);
            }
        }
        return results;
    }

    /** The most commands one transaction may hold ({@link Engine#maxCommands}). */
    public int maxCommands() {
        return engine.maxCommands();
    }

    /** Heap bytes the apps take, as the quota counts them: values, names and {@link Index#APP_OVERHEAD} each. */
    public long usedBytes() {
        return index.bytes();
    }

    /**
     * Heap bytes the changes feed keeps beyond the apps (overwritten and deleted values it retains), at
     * most what the quota leaves after {@link #usedBytes}; given up as writes need the room.
     */
    public long feedBytes() {
        return feed.heldBytes();
    }

    /** The memory quota, {@code store.max-bytes}. */
    public long maxBytes() {
        return quota.maxBytes();
    }

    /**
     * Refuses, before any of them is written, a set of PUTs (name to value) that would take the store
     * over its quota all together, for an import that should write all or nothing of it.
     *
     * @throws QuotaExceeded when they would
     */
    public void requireRoom(Map<String, byte[]> puts) {
        quota.requireRoom(puts);
    }

    /**
     * True while {@code change}'s value is its app's current one in the index (the feed's question, asked
     * on the commit stream's thread, also while it applies a transaction).
     */
    private boolean current(long seq, String name, byte[] data) {
        Entry entry = data == null ? null : index.peek(name);
        return entry != null && entry.data() == data && entry.seq() == seq;
    }

    /**
     * Compacts what the engine keeps now, after every write submitted before this call, and waits
     * until it is done. Null when the engine has nothing to compact (memory).
     */
    public Compaction compact() {
        return join(engine.compact());
    }

    /** The clock expiry runs on (the engine's): what {@link Entry#expires} is compared with. */
    public InstantSource clock() {
        return engine.clock();
    }

    /**
     * The expiry of a value written now that is to live {@code ttl}: the {@link Command.Put#expires} of a
     * PUT with {@code ?ttl=}, in epoch milliseconds of {@link #clock}.
     */
    public long expiresIn(Duration ttl) {
        return engine.clock().millis() + ttl.toMillis();
    }

    /**
     * Why the store takes no writes now (failed, unreachable or closed) or cannot serve as it should (a
     * thread it needs has ended), or null while it does.
     */
    public String failure() {
        String failure = loaded ? engine.failure() : "the store is still loading";
        return failure != null ? failure : feed.failure();
    }

    /** The engine's sizes and counts, for metrics. */
    public Stats stats() {
        return engine.stats();
    }

    /** Reports the engine's batches and syncs to {@code events} from now on. */
    public void observe(EngineEvents events) {
        engine.observe(events);
    }

    /** Where the data lives, e.g. {@code in memory only} or a directory. */
    public String describe() {
        return engine.describe();
    }

    /** Stops taking writes, finishes those taken, closes the engine and ends the feed's waits. */
    @Override
    public void close() {
        try {
            engine.close();
        } finally {
            feed.close();
        }
    }

    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }
}
