package io.microstore.local;

import java.util.concurrent.CompletableFuture;

import io.microstore.store.Command;
import io.microstore.store.Outcome;

/**
 * A queued command and the future its HTTP handler waits on, or a task the writer runs after the
 * writes queued before it have committed.
 */
record Pending(Command command, CompletableFuture<Outcome> result, Runnable task) {
    Pending(Command command, CompletableFuture<Outcome> result) {
        this(command, result, null);
    }
}
