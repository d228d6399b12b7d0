package io.microstore.observe;

import io.helidon.health.HealthCheck;
import io.helidon.health.HealthCheckResponse;
import io.helidon.health.HealthCheckType;
import io.microstore.store.Store;

/**
 * Up while the store is open and takes writes; down, with the reason as {@code failure}, once it has
 * stopped after a disk failure or a thread it needs has ended (the writer, the expirer, the changes
 * feed's dispatcher), or while its disk is full (then it comes up again by itself). Its
 * details show the memory quota's use, with a warning from {@link #NEAR_QUOTA} of it on; a full quota
 * refuses only writes that grow the data, so it stays up (reads and deletes go on).
 */
public final class StoreHealth implements HealthCheck {
    /** The share of store.max-bytes from which the check warns. */
    static final double NEAR_QUOTA = 0.9;

    private final Store store;

    public StoreHealth(Store store) {
        this.store = store;
    }

    @Override
    public String name() {
        return "store";
    }

    @Override
    public HealthCheckType type() {
        return HealthCheckType.READINESS;
    }

    @Override
    public HealthCheckResponse call() {
        String failure = store.failure();
        HealthCheckResponse.Builder response = HealthCheckResponse.builder()
                .status(failure == null)
                .detail("data", store.describe())
                .detail("apps", store.size())
                .detail("lastSeq", store.lastSeq())
                .detail("bytesUsed", store.usedBytes())
                .detail("bytesFeed", store.feedBytes())
                .detail("bytesLimit", store.maxBytes());
        if (failure != null) {
            response.detail("failure", failure);
        }
        String warning = quotaWarning(store.usedBytes(), store.maxBytes());
        if (warning != null) {
            response.detail("warning", warning);
        }
        return response.build();
    }

    /** Why the quota needs attention, or null while less than {@link #NEAR_QUOTA} of it is used. */
    static String quotaWarning(long used, long limit) {
        if (used < limit * NEAR_QUOTA) {
            return null;
        }
        return (used >= limit ? "the store is at its memory quota: " : "the store is near its memory quota: ")
                + used + " of " + limit + " bytes (store.max-bytes) used; writes that need more room get 507 "
                + "until apps are deleted or the quota is raised";
    }
}
