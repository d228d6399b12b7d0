package io.microstore.store;

import java.util.List;

/**
 * A key as the server knows it: its id, the SHA-256 of its secret (lower-case hex; the secret itself is never
 * kept; null for a config key that only a client certificate stands for), its rules, whether it is admin, the
 * certificate subject that stands for it under mutual TLS (config keys only, else null) and whether it comes from
 * the config file ({@code configured}) or the API. Its {@link Scope} is made once, not per request.
 */
public final class ApiKey {
    private final String id;
    private final String sha256;
    private final List<Rule> rules;
    private final boolean admin;
    private final String certificateSubject;
    private final boolean configured;
    private final Scope scope;

    public ApiKey(
            String id, String sha256, List<Rule> rules, boolean admin, String certificateSubject, boolean configured) {
        this.id = id;
        this.sha256 = sha256;
        this.rules = List.copyOf(rules);
        this.admin = admin;
        this.certificateSubject = certificateSubject;
        this.configured = configured;
        this.scope = admin ? Scope.ALL : Scope.of(this.rules);
    }

    public String id() {
        return id;
    }

    public String sha256() {
        return sha256;
    }

    public List<Rule> rules() {
        return rules;
    }

    public boolean admin() {
        return admin;
    }

    public String certificateSubject() {
        return certificateSubject;
    }

    public boolean configured() {
        return configured;
    }

    /** The names this key may read and write. */
    public Scope scope() {
        return scope;
    }

    /** "config" or "api": where the key comes from, as {@code GET /api/keys} says. */
    public String source() {
        return configured ? "config" : "api";
    }
}
