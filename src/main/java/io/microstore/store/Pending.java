package io.microstore.store;

import java.util.concurrent.CompletableFuture;

/** A queued command and the future its HTTP handler waits on. */
record Pending(Command command, CompletableFuture<Outcome> result) {
}
