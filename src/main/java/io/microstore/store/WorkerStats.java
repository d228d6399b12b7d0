package io.microstore.store;

/** Told about the worker's batches and syncs, for metrics. Called on the worker: must be quick. */
public interface WorkerStats {
    WorkerStats NONE = new WorkerStats() {
        @Override
        public void batch(int mutations) {
        }

        @Override
        public void synced(long nanos) {
        }
    };

    /** A batch of {@code mutations} committed (group commit: one write, at most one sync). */
    void batch(int mutations);

    /** An fsync of the journal took {@code nanos}. */
    void synced(long nanos);
}
