package io.microstore.local;

import java.util.concurrent.CompletableFuture;

import io.microstore.store.Transaction;
import io.microstore.store.TxnOutcome;

/**
 * A queued transaction (a single write is one of one command) and the future its HTTP handler waits on,
 * or a task the writer runs once the writes before it have committed.
 */
record Pending(Transaction txn, CompletableFuture<TxnOutcome> result, Runnable task) {
    Pending(Transaction txn, CompletableFuture<TxnOutcome> result) {
        this(txn, result, null);
    }
}
