package io.microstore;

import java.util.Map;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** store.max-bytes: a quarter of the JVM's max heap unless set; a set value must be positive. */
class QuotaSettingsTest {
    private static Settings settings(Map<String, String> map) {
        return Settings.from(Config.just(ConfigSources.create(map), ConfigSources.classpath("application.yaml")));
    }

    @Test
    void theQuotaDefaultsToAQuarterOfTheMaxHeap() {
        assertEquals(Runtime.getRuntime().maxMemory() / 4, settings(Map.of()).maxBytes());
    }

    @Test
    void aSetQuotaWins() {
        assertEquals(12_345, settings(Map.of("store.max-bytes", "12345")).maxBytes());
    }

    @Test
    void aQuotaThatIsNotPositiveIsRefusedByName() {
        for (String bad : new String[] {"0", "-1"}) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> settings(Map.of("store.max-bytes", bad)));
            assertTrue(e.getMessage().contains("store.max-bytes"), e.getMessage());
        }
    }
}
