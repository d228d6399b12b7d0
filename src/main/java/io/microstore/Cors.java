package io.microstore;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import io.helidon.config.Config;
import io.helidon.webserver.cors.CorsFeature;

/**
 * CORS for browser apps on other origins, only for the origins listed in {@code cors.allow-origins}
 * (none by default): all of the API's methods, the conditional and auth request headers, and the
 * response headers a client needs to see (ETag, Link, Location, Retry-After).
 */
final class Cors {
    private Cors() {
    }

    static Optional<CorsFeature> from(Config config) {
        Config node = config.get("cors.allow-origins");
        List<String> origins = (node.isList()
                ? node.asList(String.class).orElse(List.of())
                : List.of(node.asString().orElse("").split(","))) // one string is handier in env vars
                .stream().map(String::trim).filter(o -> !o.isEmpty()).toList();
        if (origins.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(CorsFeature.create(cors -> cors
                .addDefaults(false)
                .addPath(path -> path.pathPattern("/*")
                        .allowOrigins(Set.copyOf(origins))
                        .allowMethods(Set.of("GET", "HEAD", "PUT", "PATCH", "DELETE", "POST"))
                        .allowHeaders(Set.of("Content-Type", "If-Match", "If-None-Match", "Authorization",
                                "Last-Event-ID", "Accept"))
                        .exposeHeaders(Set.of("ETag", "Link", "Location", "Retry-After"))
                        .maxAge(Duration.ofHours(1)))));
    }
}
