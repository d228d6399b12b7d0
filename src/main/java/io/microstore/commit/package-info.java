/**
 * The vocabulary the store, the engines and persistence share, a leaf that imports nothing of ours:
 * a {@link io.microstore.commit.Commit} (a seq and its {@link io.microstore.commit.Change}s) is what an
 * engine makes durable, persistence appends and reads back, and the store's index and feed apply, through
 * one {@link io.microstore.commit.CommitStream}. A single write is a commit of one change; a transaction
 * or an import is one commit of many. Living here, below both store and persist, it lets persist stay
 * ignorant of the store while both speak of the same commit.
 */
package io.microstore.commit;
