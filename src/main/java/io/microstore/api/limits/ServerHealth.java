package io.microstore.api.limits;

import io.helidon.health.HealthCheck;
import io.helidon.health.HealthCheckResponse;
import io.helidon.health.HealthCheckType;

/**
 * Up while the HTTP layer's essential thread runs: the deadline watchdog, without which the header and
 * body time limits are no longer enforced; down, with the reason as {@code failure}, once it has ended.
 */
public final class ServerHealth implements HealthCheck {
    @Override
    public String name() {
        return "server";
    }

    @Override
    public HealthCheckType type() {
        return HealthCheckType.LIVENESS; // nothing comes back by itself: the process needs a restart
    }

    @Override
    public HealthCheckResponse call() {
        String failure = Deadline.failure();
        HealthCheckResponse.Builder response = HealthCheckResponse.builder().status(failure == null);
        if (failure != null) {
            response.detail("failure", failure);
        }
        return response.build();
    }
}
