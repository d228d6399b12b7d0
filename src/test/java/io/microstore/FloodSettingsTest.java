package io.microstore;

import java.time.Duration;

import io.microstore.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The flood limits as Settings reads them: defaults, overrides and refused values naming their key. */
class FloodSettingsTest {
    @Test
    void defaultsComeFromThePackagedConfigAndTheHeap() {
        FloodLimits limits = Settings.from(TestServer.config()).flood();
        assertThat(limits.maxInFlightBytes(), is(Runtime.getRuntime().maxMemory() / 4));
        assertThat(limits.headerTimeout(), is(Duration.ofSeconds(10)));
        assertThat(limits.bodyTimeout(), is(Duration.ofSeconds(60)));
        assertThat(limits.maxDiscard(), is(64L << 20));
    }

    @Test
    void everyLimitCanBeSet() {
        FloodLimits limits = Settings.from(TestServer.config(
                        "server.max-in-flight-bytes",
                        "1000",
                        "server.header-timeout",
                        "PT2S",
                        "server.body-timeout",
                        "PT3S",
                        "server.max-discard-size",
                        "0"))
                .flood();
        assertThat(limits, is(new FloodLimits(1000, 0, Duration.ofSeconds(2), Duration.ofSeconds(3))));
    }

    @ParameterizedTest
    @CsvSource({
        "server.max-in-flight-bytes, 0",
        "server.max-discard-size, -1",
        "server.header-timeout, PT0S",
        "server.body-timeout, -PT1S"
    })
    void nonsenseIsRefusedWithItsKey(String key, String value) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Settings.from(TestServer.config(key, value)));
        assertThat(e.getMessage(), containsString(key));
    }
}
