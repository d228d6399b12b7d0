package io.microstore;

import java.net.URI;
import java.util.List;
import java.util.Map;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Cluster mode's settings: --etcd, the prefix, --data excluded, the 1 MiB default body limit. */
class ClusterSettingsTest {
    private static Settings settings(Map<String, String> map) {
        return Settings.from(Config.just(ConfigSources.create(map), ConfigSources.classpath("application.yaml")));
    }

    @Test
    void etcdFlagBecomesTheEndpointsSetting() {
        Cli cli = Cli.parse("--etcd", "http://127.0.0.1:23791,http://127.0.0.1:23792");
        assertEquals(
                "http://127.0.0.1:23791,http://127.0.0.1:23792", cli.overrides().get("store.etcd.endpoints"));
        Settings settings = settings(cli.overrides());
        assertEquals(
                List.of(URI.create("http://127.0.0.1:23791"), URI.create("http://127.0.0.1:23792")),
                settings.etcdEndpoints());
        assertEquals("/microstore/", settings.etcdPrefix());
        assertTrue(settings.etcd());
        assertEquals(1L << 20, settings.maxPayload());
    }

    @Test
    void dataAndEtcdExcludeEachOther() {
        // Settings keeps the rule: the flags are settings like any other, from whichever source they come.
        IllegalArgumentException cli = assertThrows(
                IllegalArgumentException.class,
                () -> settings(Cli.parse("--data", "/tmp/x", "--etcd=http://127.0.0.1:23791")
                        .overrides()));
        assertTrue(cli.getMessage().contains("exclude each other"), cli.getMessage());
        IllegalArgumentException config = assertThrows(
                IllegalArgumentException.class,
                () -> settings(Map.of("store.data", "/tmp/x", "store.etcd.endpoints", "http://127.0.0.1:23791")));
        assertTrue(config.getMessage().contains("exclude each other"), config.getMessage());
    }

    @Test
    void anExplicitBodyLimitAndPrefixWinAndLocalModeKeepsTenMiB() {
        Settings cluster = settings(Map.of(
                "store.etcd.endpoints",
                "http://a:1",
                "store.etcd.prefix",
                "/shop/",
                "server.max-payload-size",
                "1200000"));
        assertEquals(1_200_000, cluster.maxPayload());
        assertEquals("/shop/", cluster.etcdPrefix());
        Settings local = settings(Map.of());
        assertFalse(local.etcd());
        assertEquals(10L << 20, local.maxPayload());
    }
}
