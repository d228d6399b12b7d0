package io.microstore.store;

/** An engine's sizes and counts for metrics: writes waiting, bytes kept since and in the last snapshot, compactions. */
public record EngineStats(int queued, long journalBytes, long snapshotBytes, long compactions) {
}
