package io.microstore.observe;

import io.helidon.health.HealthCheck;
import io.helidon.health.HealthCheckResponse;
import io.helidon.health.HealthCheckType;
import io.microstore.store.Store;

/**
 * Up while the store is open and takes writes; down, with the reason as {@code failure}, once it has
 * stopped after a disk failure, or while its disk is full (then it comes up again by itself).
 */
public final class StoreHealth implements HealthCheck {
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
                .detail("lastSeq", store.lastSeq());
        if (failure != null) {
            response.detail("failure", failure);
        }
        return response.build();
    }
}
