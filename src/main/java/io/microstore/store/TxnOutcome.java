package io.microstore.store;

import java.util.List;

/**
 * What a committed {@link Transaction} did: its {@code seq}, which every change it made shares (when it
 * {@code changed} nothing it consumed none, and {@code seq} is that of the state its conditions held in),
 * and each command's {@link Outcome} in order (a check's is its app's current entry, with seq 0).
 */
public record TxnOutcome(long seq, boolean changed, List<Outcome> results) {
    public TxnOutcome {
        results = List.copyOf(results);
    }
}
