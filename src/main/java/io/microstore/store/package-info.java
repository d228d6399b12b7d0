/**
 * The datastore and the engine seam. {@link io.microstore.store.Store} is the only door for the HTTP
 * layer: it checks names, serves reads from the {@link io.microstore.store.Index}, owns the change
 * feed ({@code store.feed}), and hands every {@link io.microstore.store.Command} to an
 * {@link io.microstore.store.Engine}. An engine decides the order of writes, checks preconditions,
 * assigns seqs, makes changes durable and emits them on the {@link io.microstore.store.CommitStream},
 * which updates the index and then the feed; neither knows which engine produced it. Engines live in
 * packages of their own and import this one; this package imports none of them.
 */
package io.microstore.store;
