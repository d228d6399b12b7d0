package io.microstore.store;

/** Told about an engine's batches and syncs, for metrics. Called on the engine's thread: must be quick. */
public interface EngineEvents {
    EngineEvents NONE = new EngineEvents() {
        @Override
        public void batch(int mutations) {}

        @Override
        public void synced(long nanos) {}
    };

    /** A batch of {@code mutations} committed (group commit: one write, at most one sync). */
    void batch(int mutations);

    /** A sync to stable storage took {@code nanos}. */
    void synced(long nanos);
}
