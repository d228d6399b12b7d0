package io.microstore;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.microstore.persist.FileOps;
import io.microstore.persist.JournalConfig;
import io.microstore.store.FeedConfig;
import io.microstore.store.FsyncPolicy;
import io.microstore.store.StoreConfig;

/** The settings microstore itself reads, checked once at start. Helidon reads {@code server.*} itself. */
record Settings(String host, int port, Path data, StoreConfig store, long minJournalBytes) {
    static final Path DEFAULT_CONFIG_FILE = Path.of("conf", "application.yaml");

    /**
     * All config sources, highest first: CLI flags, system properties, environment variables, the
     * config file ({@code --config} or {@code conf/application.yaml}), the defaults in the jar.
     */
    static Config load(Cli cli) {
        Config.Builder builder = Config.builder()
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .addSource(ConfigSources.create(cli.overrides()))
                .addSource(ConfigSources.systemProperties())
                .addSource(ConfigSources.environmentVariables());
        if (cli.configFile() != null) {
            if (!Files.isRegularFile(cli.configFile())) {
                throw new IllegalArgumentException("config file " + cli.configFile() + " does not exist");
            }
            builder.addSource(ConfigSources.file(cli.configFile()));
        } else {
            builder.addSource(ConfigSources.file(DEFAULT_CONFIG_FILE).optional());
        }
        return builder.addSource(ConfigSources.classpath("application.yaml")).build();
    }

    static Settings from(Config config) {
        String data = config.get("store.data").asString().orElse("").trim();
        FeedConfig defaults = FeedConfig.DEFAULTS;
        FeedConfig feed = new FeedConfig(
                config.get("store.changes.retain").asInt().orElse(defaults.retain()),
                config.get("store.changes.retain-bytes").asLong().orElse(defaults.retainBytes()),
                config.get("store.changes.max-subscribers").asInt().orElse(defaults.maxSubscribers()),
                config.get("store.changes.keep-alive").as(Duration.class).orElse(defaults.keepAlive()));
        StoreConfig store = new StoreConfig(
                config.get("store.queue-capacity").asInt().orElse(StoreConfig.DEFAULTS.queueCapacity()),
                FsyncPolicy.parse(config.get("store.fsync").asString().orElse("always")),
                config.get("store.fsync-interval").as(Duration.class).orElse(StoreConfig.DEFAULTS.fsyncInterval()),
                feed);
        return new Settings(config.get("server.host").asString().orElse("127.0.0.1"),
                config.get("server.port").asInt().orElse(8080),
                data.isEmpty() ? null : Path.of(data),
                store,
                config.get("store.compaction.min-journal-bytes").asLong().orElse(JournalConfig.DEFAULT_MIN_JOURNAL_BYTES));
    }

    /** The journal's settings; only meaningful with a data directory. */
    JournalConfig journal() {
        return new JournalConfig(data, minJournalBytes, FileOps.REAL);
    }
}
