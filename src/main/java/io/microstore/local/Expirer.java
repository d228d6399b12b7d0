package io.microstore.local;

import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

import io.microstore.commit.Change;
import io.microstore.commit.Commit;
import io.microstore.commit.CommitStream;
import io.microstore.store.Command;
import io.microstore.store.Entry;
import io.microstore.store.Index;
import io.microstore.store.NoSpace;
import io.microstore.store.Precondition;
import io.microstore.store.PreconditionFailed;
import io.microstore.store.StoreBusy;
import io.microstore.store.StoreUnavailable;
import io.microstore.store.Transaction;
import io.microstore.store.TxnOutcome;
import io.microstore.threads.EssentialThread;

/**
 * The local engine's expiry: deletes each app whose deadline ({@link Entry#expires}, set by a PUT with
 * {@code ?ttl=}) has passed on the engine's clock, as a DELETE with {@code If-Match} of the version that
 * carried the deadline would. So an expiry is an ordinary change: a new seq, a journal record, a plain
 * {@code delete} in the changes feed, watches fire; and it never deletes a newer version (a later PUT,
 * or a PATCH, which keeps the deadline but is tracked anew with its own seq): that delete gets 412 and
 * is dropped.
 *
 * <p>It learns the deadlines from the commit stream ({@link #tracking}): the state loaded at start (so a
 * deadline comes back after a restart, from the journal or a snapshot) and every committed batch. It
 * keeps one entry per app that has a deadline, in deadline order. A thread of its own sleeps until the
 * first deadline (at most a second at a time, so a clock that jumps, or a test's, is followed) and hands
 * the due deletes to the writer, in deadline order (then seq). {@link #start} runs one pass before the
 * store serves: an app whose deadline passed while the process was down is gone when it is back.
 *
 * <p>A write refused for a full disk or a full queue (507, 503) is tried again a second later; once the
 * store has failed or is closing, expiry ends quietly (the store's health says why).
 */
final class Expirer {
    private static final System.Logger LOG = System.getLogger(Expirer.class.getName());
    /** How long to wait before trying again after a full disk or a full queue refused the deletes. */
    static final long RETRY_MILLIS = 1000;
    /** The longest sleep: a deadline is checked against the clock at least this often. */
    private static final long MAX_SLEEP_MILLIS = 1000;
    /** Deletes handed to the writer at once at most (after a long downtime there may be many due). */
    private static final int MAX_CHUNK = 1024;

    /** An app's deadline and the version that carried it. */
    private record Due(long expires, long seq, String name) {}

    private static final Comparator<Due> ORDER =
            Comparator.comparingLong(Due::expires).thenComparingLong(Due::seq);

    private final InstantSource clock;
    private final Index index;
    private final Function<Transaction, CompletableFuture<TxnOutcome>> submit;
    private final int chunk;
    private final ReentrantLock lock = new ReentrantLock(); // guards schedule, byName and retryAt
    private final Condition changed = lock.newCondition();
    private final TreeSet<Due> schedule = new TreeSet<>(ORDER);
    private final Map<String, Due> byName = new HashMap<>();
    private final ReentrantLock pass = new ReentrantLock(); // one pass at a time (the thread's, or a test's)
    private long retryAt;
    private volatile int tracked; // byName.size(): lets the writer skip the lock while no app has a deadline
    private volatile boolean stopped;
    private volatile EssentialThread thread;

    /**
     * Expiry on {@code clock} for the apps in {@code index}; the deletes go to {@code submit} (the engine's,
     * which throws what {@link io.microstore.store.Engine#submit} throws), at most half of {@code queueCapacity}
     * at a time, so that they fit the writer's queue.
     */
    Expirer(
            InstantSource clock,
            Index index,
            Function<Transaction, CompletableFuture<TxnOutcome>> submit,
            int queueCapacity) {
        this.clock = clock;
        this.index = index;
        this.submit = submit;
        this.chunk = Math.max(1, Math.min(MAX_CHUNK, queueCapacity / 2));
    }

    /** {@code stream}, telling this expirer every app's deadline as it passes by. */
    CommitStream tracking(CommitStream stream) {
        return new CommitStream() {
            @Override
            public void restore(String name, byte[] data, long seq, long expires) {
                stream.restore(name, data, seq, expires);
                track(name, seq, expires);
            }

            @Override
            public void replayed(Commit commit) {
                stream.replayed(commit);
                track(commit);
            }

            @Override
            public void reload() {
                stream.reload();
                clear();
            }

            @Override
            public void loaded(long lastSeq) {
                stream.loaded(lastSeq);
            }

            @Override
            public void committed(List<Commit> batch) {
                stream.committed(batch);
                batch.forEach(commit -> track(commit));
            }
        };
    }

    /** Runs a first pass (deleting what expired while the store was down), then starts the thread. */
    void start() {
        int expired = expireDue();
        if (expired > 0) {
            LOG.log(
                    System.Logger.Level.INFO,
                    "deleted " + expired + " apps whose time to live passed while the " + "store was down");
        }
        thread = EssentialThread.start("microstore-expirer", "the expirer", this::run);
    }

    /** Stops the thread (after its current pass). */
    void stop() {
        lock.lock();
        try {
            stopped = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (thread != null && thread.thread() != Thread.currentThread()) {
            try {
                thread.thread().join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Why expiry no longer runs although nobody stopped it (its thread has ended), or null. */
    String failure() {
        EssentialThread running = thread;
        return stopped || running == null ? null : running.failure();
    }

    /** The expiry thread (null before {@link #start}), for the tests of this package. */
    Thread thread() {
        EssentialThread running = thread;
        return running == null ? null : running.thread();
    }

    /** How many apps have a deadline now. */
    int tracked() {
        return tracked;
    }

    /**
     * Deletes every app whose deadline is at or before the clock's time now, and returns once those
     * deletes are committed (or refused): how many it deleted. The thread calls it; so may a test, after
     * advancing its clock.
     */
    int expireDue() {
        pass.lock();
        try {
            if (stopped) {
                return 0;
            }
            List<Due> due = due(clock.millis());
            int[] deleted = {0};
            for (int from = 0; from < due.size() && !stopped; from += chunk) {
                if (!expire(due.subList(from, Math.min(due.size(), from + chunk)), deleted)) {
                    break; // refused: the rest is tried again later
                }
            }
            return deleted[0];
        } finally {
            pass.unlock();
        }
    }

    /**
     * Deletes {@code due} (each only in the version that had the deadline) and waits until that is done,
     * counting the deletes in {@code deleted}; false when the store refused to take more for now.
     */
    private boolean expire(List<Due> due, int[] deleted) {
        List<Due> sent = new ArrayList<>(due.size());
        List<CompletableFuture<TxnOutcome>> results = new ArrayList<>(due.size());
        boolean refused = false;
        for (Due d : due) {
            Entry current = index.get(d.name());
            if (current == null || current.seq() != d.seq()) {
                forget(d); // replaced or deleted meanwhile; a newer version is tracked by itself
                continue;
            }
            try {
                results.add(submit.apply(Transaction.of(
                        new Command.Delete(d.name(), new Precondition(List.of(Entry.etag(d.seq())), null), true))));
                sent.add(d);
            } catch (RuntimeException e) {
                refused(d, e);
                refused = true;
                break; // the next ones would be refused alike
            }
        }
        for (int i = 0; i < results.size(); i++) {
            try {
                results.get(i).join();
                forget(sent.get(i)); // the commit stream has done so already
                deleted[0]++;
            } catch (CompletionException e) {
                refused |= !(e.getCause() instanceof PreconditionFailed);
                refused(sent.get(i), e.getCause());
            }
        }
        return !refused;
    }

    /** What to do when the delete of {@code d} was refused with {@code e}. */
    private void refused(Due d, Throwable e) {
        switch (e) {
            case PreconditionFailed ignored -> forget(d); // written again meanwhile: that version is gone already
            case NoSpace full -> retryLater();
            case StoreBusy busy -> retryLater();
            case StoreUnavailable failed -> {
                // failed (fail-stop) or closing: nothing will be written again; the store's health says why
                LOG.log(System.Logger.Level.DEBUG, "expiry stops: " + failed.getMessage());
                stopped = true;
            }
            default -> {
                LOG.log(System.Logger.Level.WARNING, "expiring '" + d.name() + "' failed; trying again later", e);
                retryLater();
            }
        }
    }

    private void run() {
        while (!stopped) {
            try {
                expireDue();
                awaitNext();
            } catch (InterruptedException e) {
                return; // stop() does not interrupt: whoever did ends expiry, and failure() says so
            } catch (Throwable e) { // never let the thread die of one failed pass (its clock, the heap, a bug)
                EssentialThread.survived(LOG, "an expiry pass", e);
                retryLater();
            }
        }
    }

    /** Sleeps until the first deadline, a retry, a change of schedule or a stop (a second at most). */
    private void awaitNext() throws InterruptedException {
        lock.lock();
        try {
            if (stopped) {
                return;
            }
            long now = clock.millis();
            long next = schedule.isEmpty()
                    ? Long.MAX_VALUE
                    : Math.max(schedule.first().expires(), retryAt);
            if (next == Long.MAX_VALUE) {
                changed.await();
            } else if (next > now) {
                changed.await(Math.min(next - now, MAX_SLEEP_MILLIS), TimeUnit.MILLISECONDS);
            }
        } finally {
            lock.unlock();
        }
    }

    private void track(Commit commit) {
        for (Change change : commit.changes()) {
            track(change.name(), commit.seq(), change.expires()); // a delete's is 0
        }
    }

    /** {@code name} is at {@code seq} now, which expires at {@code expires} (0 = never, or deleted). */
    private void track(String name, long seq, long expires) {
        if (expires == 0 && tracked == 0) {
            return; // only the commit stream's thread adds: nothing to remove
        }
        lock.lock();
        try {
            Due old;
            if (expires > 0) {
                Due due = new Due(expires, seq, name);
                old = byName.put(name, due);
                if (old != null) {
                    schedule.remove(old);
                }
                schedule.add(due);
                if (schedule.first() == due) {
                    changed.signalAll();
                }
            } else {
                old = byName.remove(name);
                if (old != null) {
                    schedule.remove(old);
                }
            }
            tracked = byName.size();
        } finally {
            lock.unlock();
        }
    }

    /** Forgets every deadline: a reload follows with the state that replaces it. */
    private void clear() {
        lock.lock();
        try {
            schedule.clear();
            byName.clear();
            tracked = 0;
        } finally {
            lock.unlock();
        }
    }

    /** Forgets {@code due} if it is still its app's deadline. */
    private void forget(Due due) {
        lock.lock();
        try {
            if (byName.get(due.name()) == due) {
                byName.remove(due.name());
                schedule.remove(due);
                tracked = byName.size();
            }
        } finally {
            lock.unlock();
        }
    }

    /** The deadlines at or before {@code now}, in order. */
    private List<Due> due(long now) {
        lock.lock();
        try {
            List<Due> due = new ArrayList<>();
            for (Due d : schedule) {
                if (d.expires() > now) {
                    break;
                }
                due.add(d);
            }
            return due;
        } finally {
            lock.unlock();
        }
    }

    private void retryLater() {
        lock.lock();
        try {
            retryAt = clock.millis() + RETRY_MILLIS;
        } finally {
            lock.unlock();
        }
    }
}
