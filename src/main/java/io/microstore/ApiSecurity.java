package io.microstore;

import java.util.Optional;

import io.helidon.config.Config;

/**
 * The optional bearer token of the API: {@code security.token}, or the environment variable
 * {@code MICROSTORE_TOKEN}; and {@code security.public-read}, which lets GET and HEAD through without it.
 */
record ApiSecurity(Optional<String> token, boolean publicRead) {
    static ApiSecurity from(Config config) {
        // An empty security.token (as packaged) means "not set", so the environment variable still counts.
        Optional<String> token = config.get("security.token").asString().asOptional()
                .map(String::trim)
                .filter(t -> !t.isEmpty())
                .or(() -> Optional.ofNullable(System.getenv("MICROSTORE_TOKEN")).map(String::trim))
                .filter(t -> !t.isEmpty());
        return new ApiSecurity(token, config.get("security.public-read").asBoolean().orElse(false));
    }
}
