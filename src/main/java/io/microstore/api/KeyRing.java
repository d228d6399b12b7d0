package io.microstore.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.microstore.store.ApiKey;
import io.microstore.store.BadKey;
import io.microstore.store.KeyConflict;
import io.microstore.store.KeyNotFound;
import io.microstore.store.Keys;
import io.microstore.store.Rule;

/**
 * Every key a server knows: the config file's ({@code security.keys}, and {@code security.token} as the admin key
 * {@code token}), fixed at start, and the store's, made and revoked through the API. A config key's id cannot be
 * taken by the API, nor deleted through it.
 */
public final class KeyRing {
    private final Map<String, ApiKey> configured = new LinkedHashMap<>();
    private final Map<String, ApiKey> bySha256 = new LinkedHashMap<>();
    private final Map<String, ApiKey> bySubject = new LinkedHashMap<>();
    private final Keys stored;
    private final boolean enforced;
    private final boolean publicRead;

    /**
     * {@code enforced}: a request needs a key (else 401) unless {@code publicRead}; when false (no token, no config
     * key, no {@code security.require-key}), nothing is asked, as before keys existed.
     *
     * @throws BadKey when a config key is not valid or an id repeats
     */
    public KeyRing(List<ApiKey> configured, Keys stored, boolean enforced, boolean publicRead) {
        for (ApiKey k : configured) {
            Keys.checkId(k.id());
            Keys.checkRules(k.rules());
            if (this.configured.putIfAbsent(k.id(), k) != null) {
                throw new BadKey("security.keys: key '" + k.id() + "' is configured twice");
            }
            if (k.sha256() != null && bySha256.putIfAbsent(k.sha256(), k) != null) {
                throw new BadKey("security.keys: key '" + k.id() + "' has the same secret as another");
            }
            if (k.certificateSubject() != null && bySubject.putIfAbsent(k.certificateSubject(), k) != null) {
                throw new BadKey("security.keys: key '" + k.id() + "' has the certificate subject of another");
            }
        }
        this.stored = stored;
        this.enforced = enforced;
        this.publicRead = publicRead;
    }

    public boolean enforced() {
        return enforced;
    }

    public boolean publicRead() {
        return publicRead;
    }

    /** The key whose secret has this SHA-256, or null: two hash-table lookups (see {@link Keys#bySha256}). */
    public ApiKey bySha256(String sha256) {
        ApiKey k = bySha256.get(sha256);
        return k != null ? k : stored.bySha256(sha256);
    }

    /** The config key a verified client certificate's subject stands for, or null. */
    public ApiKey bySubject(String subject) {
        return bySubject.get(subject);
    }

    /** Whether {@code key} is still valid: a config key always, an API key until it is revoked. */
    public boolean valid(ApiKey key) {
        return key.configured() || stored.valid(key);
    }

    /** @throws KeyConflict when the id is taken (by a config key too); see {@link Keys#create} */
    public ApiKey create(String id, String sha256, List<Rule> rules, boolean admin) {
        if (configured.containsKey(id)) {
            throw new KeyConflict("key '" + id + "' exists (in the config file)");
        }
        return stored.create(id, sha256, rules, admin);
    }

    /** @throws KeyConflict for a config key; see {@link Keys#delete} */
    public void delete(String id) {
        if (configured.containsKey(id)) {
            throw new KeyConflict("key '" + id + "' comes from the config file: remove it there and restart");
        }
        stored.delete(id);
    }

    /** @throws KeyNotFound when there is none */
    public ApiKey get(String id) {
        ApiKey k = configured.get(id);
        return k != null ? k : stored.get(id);
    }

    /** The config file's keys in its order, then the API's by id. */
    public List<ApiKey> list() {
        List<ApiKey> all = new ArrayList<>(configured.values());
        all.addAll(stored.list());
        return all;
    }
}
