package io.microstore;

import java.util.Optional;

/**
 * The optional bearer token of the API ({@code security.token}, or the environment variable
 * {@code MICROSTORE_TOKEN}) and {@code security.public-read}, which lets GET and HEAD through without it.
 */
record ApiSecurity(Optional<String> token, boolean publicRead) {}
