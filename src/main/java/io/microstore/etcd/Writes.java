package io.microstore.etcd;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.microstore.store.StoreBusy;
import io.microstore.store.StoreUnavailable;
import io.microstore.store.Transaction;
import io.microstore.store.TxnOutcome;

/**
 * Admission of writes: each runs on its own virtual thread (a txn is one blocking round trip, and
 * etcd's throughput grows with the number in flight), bounded so an overload gets 503 rather than
 * an ever longer wait.
 */
final class Writes {
    private final ExecutorService threads = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("microstore-etcd-write-", 0).factory());
    private final AtomicInteger inFlight = new AtomicInteger();
    private final TxnWriter writer;
    private final int maxInFlight;

    Writes(TxnWriter writer, int maxInFlight) {
        this.writer = writer;
        this.maxInFlight = maxInFlight;
    }

    /** Starts {@code txn}; the future completes with its outcome or refusal. */
    CompletableFuture<TxnOutcome> submit(Transaction txn) {
        if (inFlight.incrementAndGet() > maxInFlight) {
            inFlight.decrementAndGet();
            throw new StoreBusy(maxInFlight);
        }
        CompletableFuture<TxnOutcome> result = new CompletableFuture<>();
        try {
            threads.execute(() -> {
                try {
                    result.complete(writer.execute(txn));
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

    /** Writes started and not finished yet. */
    int inFlight() {
        return inFlight.get();
    }

    /** Takes no more writes and lets those taken finish, for a while. */
    void close() {
        threads.shutdown();
        try {
            if (!threads.awaitTermination(10, TimeUnit.SECONDS)) {
                threads.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
