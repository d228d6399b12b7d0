/**
 * The query vocabulary every reader of values shares (listing, counting, the changes feed): the {@code where}
 * {@link io.microstore.store.query.Selector}, the {@link io.microstore.store.query.Order} and its
 * {@link io.microstore.store.query.SortKey}, and one comparison contract (docs/API.md, "Querying"). Everything is
 * evaluated on the stored compact bytes: a pointer is followed by skipping bytes and only the value it names is
 * read. A library: it uses json (and may use commit), and nothing else of ours but the refusal it throws.
 */
package io.microstore.store.query;
