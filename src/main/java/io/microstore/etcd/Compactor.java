package io.microstore.etcd;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;

import io.microstore.commit.Compaction;
import io.microstore.etcd.gateway.EtcdClient;
import io.microstore.etcd.gateway.EtcdException;
import io.microstore.etcd.gateway.EtcdOutcomeUnknown;
import io.microstore.etcd.gateway.EtcdRejected;
import io.microstore.store.OutcomeUnknown;
import io.microstore.store.StoreUnavailable;

/**
 * Compacts etcd's history up to the last applied revision minus the revisions kept (at least the feed's
 * window, so a feed client resuming within it never meets a compacted etcd), on demand and on a timer.
 * Both run on one thread, in turn. With several instances each compacts too: compaction is idempotent,
 * and etcd's "already compacted" answer counts as done.
 */
final class Compactor {
    private static final System.Logger LOG = System.getLogger(Compactor.class.getName());

    private final EtcdClient client;
    private final AppliedRevision applied;
    private final IntSupplier apps;
    private final long keep;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("microstore-etcd-compact").daemon(true).factory());
    private final AtomicLong compactions = new AtomicLong();
    private final AtomicLong timerRuns = new AtomicLong();
    private long compactedTo; // on the thread only

    Compactor(EtcdClient client, AppliedRevision applied, IntSupplier apps, long keep) {
        this.client = client;
        this.applied = applied;
        this.apps = apps;
        this.keep = keep;
    }

    /** Compacts every {@code period} from now on; never when it is zero or negative. */
    void every(Duration period) {
        if (period.isPositive()) {
            long ms = period.toMillis();
            thread.scheduleWithFixedDelay(this::onTimer, ms, ms, TimeUnit.MILLISECONDS);
        }
    }

    /** Compacts now (after a timed compaction under way); completes with null when there is nothing to keep. */
    CompletableFuture<Compaction> compact() {
        try {
            return CompletableFuture.supplyAsync(this::compactNow, thread);
        } catch (RuntimeException e) { // rejected: closing
            throw new StoreUnavailable("the store is shutting down", e);
        }
    }

    /** Compactions this instance made (the timer's and those asked for). */
    long count() {
        return compactions.get();
    }

    /**
     * Turns of the timer that have ended, whether they compacted, found nothing new or failed: a run that
     * compacts nothing leaves no other trace, and a test that expects none waits on this count.
     */
    long timerRuns() {
        return timerRuns.get();
    }

    private Compaction compactNow() {
        long start = System.nanoTime();
        long target = target();
        if (target <= 0) {
            return null;
        }
        try {
            compactTo(target);
        } catch (EtcdOutcomeUnknown e) {
            throw new OutcomeUnknown("etcd did not answer the compaction: " + e.getMessage(), e);
        } catch (EtcdException e) {
            throw EtcdErrors.unavailable(e);
        }
        return new Compaction(target, apps.getAsInt(), 0, Duration.ofNanos(System.nanoTime() - start));
    }

    /** The timer: only when the target moved; a failure waits for the next period (health reports etcd's state). */
    private void onTimer() {
        try {
            compactTo(target());
        } catch (EtcdException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "compacting etcd failed; trying again later: " + e.getMessage());
        } finally {
            timerRuns.incrementAndGet(); // after the compaction's count: a run seen ended is a run counted
        }
    }

    private long target() {
        return applied.get() - keep;
    }

    /** Compacts to {@code target} unless done already; "compacted already" (another instance did) is done. */
    private void compactTo(long target) throws EtcdException {
        if (target <= compactedTo) {
            return;
        }
        try {
            client.compact(target);
            compactions.incrementAndGet();
        } catch (EtcdRejected e) {
            if (!e.compacted()) {
                throw e;
            }
        }
        compactedTo = target;
    }

    void close() {
        thread.shutdownNow();
    }
}
