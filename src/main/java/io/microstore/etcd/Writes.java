package io.microstore.etcd;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.microstore.store.StoreUnavailable;
import io.microstore.store.Transaction;
import io.microstore.store.TxnOutcome;

/**
 * Admission of writes: each runs on its own virtual thread (a txn is one blocking round trip, and
 * etcd's throughput grows with the number in flight). At most {@code maxInFlight} txns are with etcd at
 * once; a burst beyond that queues (first come, first served) instead of being refused: a queued write
 * is a parked virtual thread and its transaction, and how many there can be is bounded by what the HTTP
 * layer admits (max-concurrent-requests, max-in-flight-bytes), so the queue is bounded by memory, not
 * by a count of its own. Each waits only as long as the writes ahead of it take.
 */
final class Writes {
    private final ExecutorService threads = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("microstore-etcd-write-", 0).factory());
    private final AtomicInteger inFlight = new AtomicInteger();
    private final TxnWriter writer;
    private final Semaphore sending;

    Writes(TxnWriter writer, int maxInFlight) {
        this.writer = writer;
        this.sending = new Semaphore(maxInFlight, true);
    }

    /** Starts {@code txn}; the future completes with its outcome or refusal. */
    CompletableFuture<TxnOutcome> submit(Transaction txn) {
        inFlight.incrementAndGet();
        CompletableFuture<TxnOutcome> result = new CompletableFuture<>();
        try {
            threads.execute(() -> {
                try {
                    sending.acquire();
                } catch (InterruptedException e) { // closing: the write was never sent
                    inFlight.decrementAndGet();
                    result.completeExceptionally(new StoreUnavailable("the store is shutting down", e));
                    return;
                }
                try {
                    result.complete(writer.execute(txn));
                } catch (RuntimeException e) {
                    result.completeExceptionally(e);
                } finally {
                    sending.release();
                    inFlight.decrementAndGet();
                }
            });
        } catch (RuntimeException e) { // rejected: closing
            inFlight.decrementAndGet();
            throw new StoreUnavailable("the store is shutting down", e);
        }
        return result;
    }

    /** Writes started and not finished yet, queued ones included. */
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
