package io.microstore;

import java.util.Map;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** store.query.scan-budget: 2^20 apps by default (application.yaml); a set value must be positive. */
class QuerySettingsTest {
    private static Settings settings(Map<String, String> map) {
        return Settings.from(Config.just(ConfigSources.create(map), ConfigSources.classpath("application.yaml")));
    }

    @Test
    void theBudgetDefaultsToAMillionAppsAndASetOneWins() {
        assertEquals(1 << 20, settings(Map.of()).scanBudget());
        assertEquals(500, settings(Map.of("store.query.scan-budget", "500")).scanBudget());
    }

    @Test
    void aBudgetThatIsNotPositiveIsRefusedByName() {
        for (String bad : new String[] {"0", "-1"}) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class, () -> settings(Map.of("store.query.scan-budget", bad)));
            assertTrue(e.getMessage().contains("store.query.scan-budget"), e.getMessage());
        }
    }
}
