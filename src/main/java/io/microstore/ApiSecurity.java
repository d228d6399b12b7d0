package io.microstore;

import java.util.List;
import java.util.Optional;

import io.microstore.store.ApiKey;

/**
 * The API's security settings: the optional bearer token ({@code security.token}, or the environment variable
 * {@code MICROSTORE_TOKEN}), which is one admin key with the id {@code token}; the config file's keys
 * ({@code security.keys}); {@code security.public-read}, which lets a request without a key read every app; and
 * {@code security.require-key}, which asks every request for a key even when the config file has none (the keys
 * are then made through the API by ... a key of the config file, or the token: see docs/SECURITY.md).
 */
record ApiSecurity(Optional<String> token, boolean publicRead, boolean requireKey, List<ApiKey> keys) {
    /** Whether a request needs a key: the token or a config key is set, or {@code security.require-key}. */
    boolean enforced() {
        return token.isPresent() || !keys.isEmpty() || requireKey;
    }
}
