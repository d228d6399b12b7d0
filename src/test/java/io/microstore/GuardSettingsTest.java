package io.microstore;

import java.net.InetAddress;
import java.time.Duration;

import io.microstore.api.access.AddressRange;
import io.microstore.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The failed-authentication limit's and the audit log's settings: defaults, overrides, refused values. */
class GuardSettingsTest {
    @Test
    void theDefaultsAreTenFailuresAMinuteAndNoAuditLog() {
        GuardSettings guard = Settings.defaults().guard();
        assertThat(guard.maxFailures(), is(10));
        assertThat(guard.failureWindow(), is(Duration.ofMinutes(1)));
        assertThat(guard.failureAddresses(), is(10_000));
        assertThat(guard.trustedProxies().isEmpty(), is(true));
        assertThat(guard.auditLog().isPresent(), is(false));
    }

    @Test
    void trustedProxiesAreAddressesAndBlocksCommaSeparated() throws Exception {
        GuardSettings guard = Settings.from(TestServer.config(
                        "security.trusted-proxies", "10.0.0.5, 192.168.0.0/16,fd00::/8", "security.audit-log", " - "))
                .guard();
        assertThat(guard.trustedProxies().size(), is(3));
        AddressRange block = guard.trustedProxies().get(1);
        assertThat(block.contains(InetAddress.getByName("192.168.7.9")), is(true));
        assertThat(block.contains(InetAddress.getByName("192.169.0.1")), is(false));
        assertThat(guard.trustedProxies().get(0).contains(InetAddress.getByName("10.0.0.6")), is(false));
        assertThat(guard.trustedProxies().get(2).contains(InetAddress.getByName("fd12::1")), is(true));
        assertThat(guard.trustedProxies().get(2).contains(InetAddress.getByName("10.0.0.5")), is(false));
        assertThat(guard.auditLog().orElseThrow(), is("-"));
    }

    @ParameterizedTest
    @CsvSource({
        "security.max-failures, -1",
        "security.failure-window, PT0S",
        "security.failure-addresses, 0",
        "security.trusted-proxies, proxy.example.com",
        "security.trusted-proxies, 10.0.0.0/33",
        "security.trusted-proxies, 10.0.0/8"
    })
    void nonsenseIsRefusedWithItsKey(String key, String value) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Settings.from(TestServer.config(key, value)));
        assertThat(e.getMessage(), containsString(key));
    }
}
