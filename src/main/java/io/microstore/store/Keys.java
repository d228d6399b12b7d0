package io.microstore.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Function;
import java.util.regex.Pattern;

import io.microstore.json.CompactJson;
import io.microstore.json.JsonText;

/**
 * The keys made through the API (the config file's are the API's to add: the store keeps only what is durable), whose definitions (id,
 * SHA-256 of the secret, rules, admin) are {@link Reserved#KEY} records committed through the engine as index
 * definitions are: journaled and snapshotted locally, etcd keys under the dataset's prefix in cluster mode, so
 * every instance hears a new key and a revocation from its commit stream at once. A key is found by the hash of the
 * secret a request presents, never by comparing secrets.
 */
public final class Keys {
    /** Most rules one key has: each costs every request of that key a {@code startsWith}. */
    public static final int MAX_RULES = 100;
    /** A key id: 1 to 64 of A-Z a-z 0-9 . _ -, starting with a letter or digit. */
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    /** Not an id: {@code /api/keys/self} is the caller's own key. */
    public static final String SELF = "self";

    static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    private final Function<Command, Outcome> commit;
    private final ConcurrentSkipListMap<String, ApiKey> stored = new ConcurrentSkipListMap<>();
    private final ConcurrentHashMap<String, ApiKey> byHash = new ConcurrentHashMap<>();
    private volatile Runnable onRevoke = () -> {};
    private volatile Runnable catchUp = () -> {};

    Keys(Function<Command, Outcome> commit) {
        this.commit = commit;
    }

    /** How to apply every write acknowledged anywhere before now (the engine's consistent read). */
    void catchUp(Runnable catchUp) {
        this.catchUp = catchUp;
    }

    /** Called whenever a key is deleted or replaced (on the commit stream's thread): the feed wakes its clients. */
    void onRevoke(Runnable onRevoke) {
        this.onRevoke = onRevoke;
    }

    // ---- the API's side

    /**
     * Makes key {@code id} with the secret whose SHA-256 is {@code sha256}, durably.
     *
     * @throws BadKey when the id or a rule is not valid
     * @throws KeyConflict when the id is taken
     */
    public ApiKey create(String id, String sha256, List<Rule> rules, boolean admin) {
        checkId(id);
        checkRules(rules);
        try { // only while no key has the id: two instances racing cannot both make it
            commit.apply(new Command.Put(
                    Reserved.KEY + id, definition(sha256, rules, admin), new Precondition(null, List.of("*")), 0));
        } catch (PreconditionFailed taken) {
            throw new KeyConflict("key '" + id + "' exists; delete it first");
        }
        ApiKey made = new ApiKey(id, sha256, rules, admin, null, false);
        // The commit stream has applied it before the write was acknowledged; this is what it holds.
        ApiKey heard = stored.get(id);
        return heard != null ? heard : made;
    }

    /**
     * Revokes key {@code id}, durably: the next request with it gets 401 on every instance.
     *
     * @throws KeyNotFound when there is none
     */
    public void delete(String id) {
        if (!stored.containsKey(id)) {
            throw new KeyNotFound(id);
        }
        try {
            commit.apply(new Command.Delete(Reserved.KEY + id, Precondition.NONE));
        } catch (AppNotFound gone) {
            throw new KeyNotFound(id);
        }
    }

    /** @throws KeyNotFound when there is none */
    public ApiKey get(String id) {
        ApiKey k = stored.get(id);
        if (k == null) {
            throw new KeyNotFound(id);
        }
        return k;
    }

    /** Every key by id. */
    public List<ApiKey> list() {
        return new ArrayList<>(stored.values());
    }

    /**
     * The key whose secret has this SHA-256, or null. A hash-table lookup by the digest of the presented secret:
     * what it takes depends only on that digest, which tells an attacker nothing about any stored secret, so the
     * lookup is constant-time with respect to the secrets by construction.
     */
    public ApiKey bySha256(String sha256) {
        ApiKey known = byHash.get(sha256);
        if (known != null) {
            return known;
        }
        // Unknown here: in cluster mode the key may have been made on another instance a moment ago, its record
        // not yet brought by this one's watch. A consistent read (a quorum read, then waiting until the index has
        // applied it) makes a key work on every instance from the moment its 201 was sent; locally it costs
        // nothing. Only an unknown secret pays it (and guessing is rate-limited in front of this).
        try {
            catchUp.run();
        } catch (RuntimeException unavailable) { // etcd out of reach: the key is not known here, as before
            return null;
        }
        return byHash.get(sha256);
    }

    /** Whether {@code key} is still valid: the very key held now under its id (not deleted, not replaced). */
    public boolean valid(ApiKey key) {
        return stored.get(key.id()) == key;
    }

    /** The SHA-256 of a secret, as keys are found by: 64 lower-case hex digits. */
    public static String sha256(String secret) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    public static void checkId(String id) {
        if (id == null || !ID.matcher(id).matches() || id.equals(SELF)) {
            throw new BadKey(
                    "a key id is 1 to 64 of A-Z a-z 0-9 . _ - starting with a letter or digit, and not " + "\"self\"");
        }
    }

    public static void checkRules(List<Rule> rules) {
        if (rules.size() > MAX_RULES) {
            throw new BadKey("a key has at most " + MAX_RULES + " rules, not " + rules.size());
        }
    }

    static byte[] definition(String sha256, List<Rule> rules, boolean admin) {
        StringBuilder json = new StringBuilder("{\"sha256\":\"").append(sha256).append("\",\"admin\":");
        json.append(admin).append(",\"rules\":[");
        for (int i = 0; i < rules.size(); i++) {
            Rule r = rules.get(i);
            json.append(i > 0 ? "," : "")
                    .append("{\"prefix\":")
                    .append(new String(JsonText.quote(r.prefix()), StandardCharsets.UTF_8))
                    .append(",\"access\":\"")
                    .append(r.access().wireName())
                    .append("\"}");
        }
        return json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The key a stored definition holds, or null when it is not one this version reads. */
    static ApiKey parse(String id, byte[] definition) {
        try {
            byte[] hash = CompactJson.member(definition, "sha256");
            byte[] admin = CompactJson.member(definition, "admin");
            byte[] list = CompactJson.member(definition, "rules");
            if (hash == null || hash[0] != '"' || list == null || list[0] != '[') {
                return null;
            }
            String sha256 = JsonText.decode(hash, 0, hash.length);
            if (!SHA256.matcher(sha256).matches()) {
                return null;
            }
            List<Rule> rules = new ArrayList<>();
            for (byte[] r : CompactJson.elements(list)) {
                byte[] prefix = CompactJson.member(r, "prefix");
                byte[] access = CompactJson.member(r, "access");
                if (prefix == null || prefix[0] != '"' || access == null || access[0] != '"') {
                    return null;
                }
                rules.add(new Rule(
                        JsonText.decode(prefix, 0, prefix.length),
                        Access.parse(JsonText.decode(access, 0, access.length))));
            }
            boolean isAdmin = admin != null && new String(admin, StandardCharsets.US_ASCII).equals("true");
            return new ApiKey(id, sha256, rules, isAdmin, null, false);
        } catch (RuntimeException e) { // MalformedJson, BadKey among them
            return null;
        }
    }

    // ---- the store's side

    /** A record of the catalog was put ({@code entry}) or deleted (null). On the commit stream's thread. */
    void record(String name, Entry entry) {
        if (!name.startsWith(Reserved.KEY)) {
            return;
        }
        String id = name.substring(Reserved.KEY.length());
        ApiKey now = entry == null ? null : parse(id, entry.data());
        ApiKey old = now == null ? stored.remove(id) : stored.put(id, now);
        if (old != null) {
            byHash.remove(old.sha256(), old);
        }
        if (now != null) {
            byHash.put(now.sha256(), now);
        }
        if (old != null) {
            onRevoke.run();
        }
    }
}
