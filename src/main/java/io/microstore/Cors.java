package io.microstore;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import io.helidon.config.Config;
import io.microstore.api.CorsFilter;

/**
 * Reads {@code cors.allow-origins}: a list (YAML, or {@code .0}, {@code .1}... keys) or one
 * comma-separated string (handier in environment variables). Unset or empty: no CORS at all.
 */
final class Cors {
    private Cors() {
    }

    static Optional<CorsFilter> from(Config config) {
        Config node = config.get("cors.allow-origins");
        List<String> values = !node.exists() ? List.of()
                : node.isLeaf() ? List.of(node.asString().orElse(""))
                : node.asList(String.class).orElse(List.of());
        Set<String> origins = values.stream()
                .flatMap(v -> Arrays.stream(v.split(",")))
                .map(String::trim)
                .filter(o -> !o.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
        return origins.isEmpty() ? Optional.empty() : Optional.of(new CorsFilter(origins));
    }
}
