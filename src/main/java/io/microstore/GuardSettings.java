package io.microstore;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.microstore.api.access.AddressRange;

/**
 * The failed-authentication limit and the audit log ({@code security.*}, docs/SECURITY.md): after
 * {@code maxFailures} 401s from one client address within {@code failureWindow}, 429 (0: no limit), at
 * most {@code failureAddresses} addresses remembered; the load balancers whose {@code X-Forwarded-For}
 * names the client ({@code trustedProxies}); where the audit log goes ({@code -}: standard output; empty:
 * no audit log).
 */
public record GuardSettings(
        int maxFailures,
        Duration failureWindow,
        int failureAddresses,
        List<AddressRange> trustedProxies,
        Optional<String> auditLog) {}
