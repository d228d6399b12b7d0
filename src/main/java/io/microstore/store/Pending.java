package io.microstore.store;

import java.util.concurrent.CompletableFuture;

/**
 * A queued command and the future its HTTP handler waits on, or a task the worker runs after the
 * writes queued before it have committed.
 */
record Pending(Command command, CompletableFuture<Outcome> result, Runnable task) {
    Pending(Command command, CompletableFuture<Outcome> result) {
        this(command, result, null);
    }
}
