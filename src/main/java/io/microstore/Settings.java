package io.microstore;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.microstore.api.access.AddressRange;
import io.microstore.etcd.gateway.EtcdAccess;
import io.microstore.local.FsyncPolicy;
import io.microstore.local.LocalConfig;
import io.microstore.persist.FileOps;
import io.microstore.persist.JournalConfig;
import io.microstore.store.Access;
import io.microstore.store.ApiKey;
import io.microstore.store.BadKey;
import io.microstore.store.Keys;
import io.microstore.store.Rule;
import io.microstore.store.feed.FeedConfig;

/**
 * Every setting microstore reads, read once at start from the config into this record, which
 * {@link Main} passes down. {@code server} is the config section Helidon reads itself.
 */
public record Settings(
        Config server,
        String host,
        int port,
        long maxPayload,
        Path data,
        LocalConfig local,
        FeedConfig feed,
        long minJournalBytes,
        ApiSecurity security,
        Set<String> corsOrigins,
        List<URI> etcdEndpoints,
        String etcdPrefix,
        Duration etcdTimeout,
        FloodLimits flood,
        long maxBytes,
        long scanBudget,
        boolean serverTls,
        EtcdAccess etcdAccess,
        GuardSettings guard) {
    /** The body limit in cluster mode unless server.max-payload-size is set: below etcd's 1.5 MiB request limit. */
    static final long ETCD_MAX_PAYLOAD = 1L << 20;

    static final long LOCAL_MAX_PAYLOAD = 10L << 20;

    /**
     * store.max-bytes defaults to the maximum heap divided by this (a quarter). A stored byte costs about
     * one byte of heap (values are kept as their compact JSON; the changes feed shares them, and keeps
     * overwritten ones only in the room the quota leaves). The other three quarters are for what the
     * quota does not count: the server itself (~20 MiB), each request body being read and compacted (about
     * twice its size, also when it is then refused), a journal batch being encoded, the buffers of a
     * snapshot or of recovery at start (a few times the largest value), and the free regions G1 needs to
     * place values of megabytes. Measured with -Xmx256m and 9 MiB PUTs on a data directory (QuotaIT's
     * scenario): 0.5 of the heap held with up to 16 concurrent PUTs and restarted on the same heap; 0.65
     * ran out of heap with 8 concurrent 9 MiB PUTs (which also cost ~130 MiB transiently at 0.25), so half
     * of that is the default.
     */
    static final long DEFAULT_HEAP_DIVISOR = 4;

    /** The id of the admin key {@code security.token} stands for. */
    static final String TOKEN_KEY = "token";

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

    /** The defaults: the packaged application.yaml alone, which holds every one of them (and the code none). */
    public static Settings defaults() {
        return from(Config.just(ConfigSources.classpath("application.yaml")));
    }

    /**
     * Reads and checks every setting; a bad value throws with the key's name. {@code config} has the
     * packaged application.yaml below the other sources: the defaults come from there.
     */
    public static Settings from(Config config) {
        String data = config.get("store.data").asString().get().trim();
        List<URI> etcd = list(config.get("store.etcd.endpoints")).stream()
                .map(URI::create)
                .toList();
        if (!data.isEmpty() && !etcd.isEmpty()) {
            throw new IllegalArgumentException("--data (store.data) and --etcd (store.etcd.endpoints) exclude each "
                    + "other: in cluster mode the data lives in etcd");
        }
        String prefix = config.get("store.etcd.prefix").asString().get().trim();
        if (prefix.isEmpty()) {
            throw new IllegalArgumentException("store.etcd.prefix must not be empty (it is /microstore/ by default)");
        }
        TlsSettings.checkServer(config);
        return new Settings(
                config.get("server"),
                config.get("server.host").asString().get(),
                config.get("server.port").asInt().get(),
                config.get("server.max-payload-size")
                        .asLong()
                        .orElse(etcd.isEmpty() ? LOCAL_MAX_PAYLOAD : ETCD_MAX_PAYLOAD),
                data.isEmpty() ? null : Path.of(data),
                new LocalConfig(
                        config.get("store.queue-capacity").asInt().get(),
                        FsyncPolicy.parse(config.get("store.fsync").asString().get()),
                        config.get("store.fsync-interval").as(Duration.class).get()),
                new FeedConfig(
                        config.get("store.changes.retain").asInt().get(),
                        config.get("store.changes.retain-bytes").asLong().get(),
                        config.get("store.changes.max-subscribers").asInt().get(),
                        config.get("store.changes.keep-alive")
                                .as(Duration.class)
                                .get()),
                config.get("store.compaction.min-journal-bytes").asLong().get(),
                security(config),
                corsOrigins(config),
                etcd,
                prefix,
                config.get("store.etcd.request-timeout").as(Duration.class).get(),
                flood(config),
                maxBytes(config),
                scanBudget(config),
                TlsSettings.serverTls(config),
                TlsSettings.etcd(config, etcd),
                guard(config));
    }

    /** The failed-authentication limit and the audit log; bad values throw with the key's name. */
    private static GuardSettings guard(Config config) {
        int maxFailures = config.get("security.max-failures").asInt().get();
        if (maxFailures < 0) {
            throw new IllegalArgumentException(
                    "security.max-failures must be 0 (no limit) or more, not " + maxFailures);
        }
        Duration window =
                config.get("security.failure-window").as(Duration.class).get();
        positive("security.failure-window", window);
        int addresses = config.get("security.failure-addresses").asInt().get();
        if (addresses < 1) {
            throw new IllegalArgumentException("security.failure-addresses must be positive, not " + addresses);
        }
        List<AddressRange> proxies;
        try {
            proxies = list(config.get("security.trusted-proxies")).stream()
                    .map(AddressRange::parse)
                    .toList();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("security.trusted-proxies: " + e.getMessage());
        }
        Optional<String> audit = config.get("security.audit-log")
                .asString()
                .asOptional()
                .map(String::trim)
                .filter(a -> !a.isEmpty());
        return new GuardSettings(maxFailures, window, addresses, proxies, audit);
    }

    private static FloodLimits flood(Config config) {
        FloodLimits limits = new FloodLimits(
                config.get("server.max-in-flight-bytes").asLong().orElseGet(FloodLimits::defaultInFlightBytes),
                config.get("server.max-discard-size").asLong().get(),
                config.get("server.header-timeout").as(Duration.class).get(),
                config.get("server.body-timeout").as(Duration.class).get());
        if (limits.maxInFlightBytes() <= 0) {
            throw new IllegalArgumentException("server.max-in-flight-bytes must be positive");
        }
        if (limits.maxDiscard() < 0) {
            throw new IllegalArgumentException("server.max-discard-size must be zero or more");
        }
        positive("server.header-timeout", limits.headerTimeout());
        positive("server.body-timeout", limits.bodyTimeout());
        return limits;
    }

    private static void positive(String key, Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(key + " must be a positive duration, not " + value);
        }
    }

    /** store.query.scan-budget: the most apps one query examines, positive. */
    private static long scanBudget(Config config) {
        long budget = config.get("store.query.scan-budget").asLong().get();
        if (budget < 1) {
            throw new IllegalArgumentException(
                    "store.query.scan-budget must be a positive number of apps, not " + budget);
        }
        return budget;
    }

    /** store.max-bytes, positive; by default 1 / {@link #DEFAULT_HEAP_DIVISOR} of the JVM's maximum heap. */
    private static long maxBytes(Config config) {
        long maxBytes = config.get("store.max-bytes")
                .asLong()
                .orElseGet(() -> Runtime.getRuntime().maxMemory() / DEFAULT_HEAP_DIVISOR);
        if (maxBytes < 1) {
            throw new IllegalArgumentException("store.max-bytes must be a positive number of bytes, not " + maxBytes);
        }
        return maxBytes;
    }

    /** The journal's settings; only meaningful with a data directory. */
    JournalConfig journal() {
        return new JournalConfig(data, minJournalBytes, FileOps.REAL);
    }

    /** True when the server listens on a loopback address only. */
    boolean loopback() {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
    }

    private static ApiSecurity security(Config config) {
        // An empty security.token (as packaged) means "not set", so the environment variable still counts.
        Optional<String> token = config.get("security.token")
                .asString()
                .asOptional()
                .map(String::trim)
                .filter(t -> !t.isEmpty())
                .or(() -> Optional.ofNullable(System.getenv("MICROSTORE_TOKEN")).map(String::trim))
                .filter(t -> !t.isEmpty());
        List<ApiKey> keys = new ArrayList<>();
        token.ifPresent(t -> keys.add(new ApiKey(TOKEN_KEY, Keys.sha256(t), List.of(), true, null, true)));
        Config list = config.get("security.keys");
        if (list.exists()) {
            for (Config node : list.asNodeList().orElse(List.of())) {
                keys.add(key(node));
            }
        }
        return new ApiSecurity(
                token,
                config.get("security.public-read").asBoolean().orElse(false),
                config.get("security.require-key").asBoolean().orElse(false),
                List.copyOf(keys));
    }

    /**
     * One of {@code security.keys}: {@code id}, {@code rules} ({@code prefix}, {@code access}), {@code admin}, and
     * how it is recognised: {@code secret-sha256} (the hex SHA-256 of its secret), {@code secret-file} (a file that
     * holds the secret; its SHA-256 is taken and the secret forgotten) and/or {@code certificate-subject} (the
     * RFC 2253 subject of a client certificate, with mutual TLS). Never a secret in clear in the file.
     */
    private static ApiKey key(Config node) {
        String where = "security.keys." + node.name();
        String id = node.get("id").asString().orElse("");
        try {
            Keys.checkId(id);
        } catch (BadKey e) {
            throw new IllegalArgumentException(where + ".id: " + e.getMessage());
        }
        if (node.get("secret").exists() || node.get("token").exists()) {
            throw new IllegalArgumentException(where + ": a secret is never written in the config file; give its "
                    + "SHA-256 (secret-sha256) or a file that holds it (secret-file)");
        }
        String sha256 = node.get("secret-sha256")
                .asString()
                .map(s -> s.trim().toLowerCase(java.util.Locale.ROOT))
                .orElse(null);
        if (sha256 != null && !sha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException(where + ".secret-sha256 is 64 hex digits (sha256sum's output)");
        }
        Optional<String> file = node.get("secret-file").asString().asOptional();
        if (file.isPresent()) {
            if (sha256 != null) {
                throw new IllegalArgumentException(where + ": secret-sha256 or secret-file, not both");
            }
            try {
                String secret = Files.readString(Path.of(file.get())).trim();
                if (secret.isEmpty()) {
                    throw new IllegalArgumentException(where + ".secret-file " + file.get() + " is empty");
                }
                sha256 = Keys.sha256(secret);
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException(where + ".secret-file cannot be read: " + e.getMessage());
            }
        }
        String subject = node.get("certificate-subject").asString().orElse(null);
        if (sha256 == null && subject == null) {
            throw new IllegalArgumentException(
                    where + " (" + id + ") needs secret-sha256, secret-file or certificate-subject");
        }
        List<Rule> rules = new ArrayList<>();
        for (Config r : node.get("rules").asNodeList().orElse(List.of())) {
            try {
                rules.add(new Rule(
                        r.get("prefix").asString().orElse(""),
                        Access.parse(r.get("access").asString().orElse(""))));
            } catch (BadKey e) {
                throw new IllegalArgumentException(where + ".rules: " + e.getMessage());
            }
        }
        return new ApiKey(id, sha256, rules, node.get("admin").asBoolean().orElse(false), subject, true);
    }

    /**
     * {@code cors.allow-origins}: a list (YAML, or {@code .0}, {@code .1}... keys) or one comma-separated
     * string (handier in environment variables). Unset or empty: no CORS at all.
     */
    private static Set<String> corsOrigins(Config config) {
        return Set.copyOf(list(config.get("cors.allow-origins")));
    }

    /** A list (YAML, or .0, .1... keys) or one comma-separated string; unset or empty: none. */
    private static List<String> list(Config node) {
        List<String> values = !node.exists()
                ? List.of()
                : node.isLeaf()
                        ? List.of(node.asString().orElse(""))
                        : node.asList(String.class).orElse(List.of());
        return values.stream()
                .flatMap(v -> Arrays.stream(v.split(",")))
                .map(String::trim)
                .filter(o -> !o.isEmpty())
                .distinct()
                .toList();
    }

    /** True in cluster mode (store.etcd.endpoints set). */
    boolean etcd() {
        return !etcdEndpoints.isEmpty();
    }
}
