package io.microstore;

import java.util.Map;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The start-up line says what is true of the data: the fsync policy only where there is a disk to sync. */
class StartupTest {
    private static Settings settings(Map<String, String> map) {
        return Settings.from(Config.just(ConfigSources.create(map), ConfigSources.classpath("application.yaml")));
    }

    @Test
    void inMemoryTheLineSaysNotOnDiskAndNamesNoFsyncPolicy() {
        assertEquals(
                "microstore listening on http://127.0.0.1:8080/ (Swagger UI at /openapi/ui, data: in memory only,"
                        + " not on disk)",
                Startup.listening(settings(Map.of()), 8080, "in memory only"));
    }

    @Test
    void withADataDirectoryTheLineNamesTheFsyncPolicy() {
        assertEquals(
                "microstore listening on http://127.0.0.1:9090/ (Swagger UI at /openapi/ui, data: /srv/data,"
                        + " fsync: interval)",
                Startup.listening(
                        settings(Map.of("store.data", "/srv/data", "store.fsync", "interval")), 9090, "/srv/data"));
    }

    @Test
    void inClusterModeTheLineNamesNeitherFsyncNorADisk() {
        assertEquals(
                "microstore listening on http://127.0.0.1:8081/ (Swagger UI at /openapi/ui, data: etcd (3 endpoints))",
                Startup.listening(
                        settings(Map.of("store.etcd.endpoints", "http://127.0.0.1:23791")),
                        8081,
                        "etcd (3 endpoints)"));
    }
}
