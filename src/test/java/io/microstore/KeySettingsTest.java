package io.microstore;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.microstore.store.Access;
import io.microstore.store.ApiKey;
import io.microstore.store.Keys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** security.keys, security.token and security.require-key as Settings reads them: never a secret in clear. */
class KeySettingsTest {
    @TempDir
    static Path dir;

    private static Settings settings(String... pairs) {
        Map<String, String> map = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], pairs[i + 1]);
        }
        return Settings.from(Config.just(ConfigSources.create(map), ConfigSources.classpath("application.yaml")));
    }

    private static String refusal(String... pairs) {
        return assertThrows(IllegalArgumentException.class, () -> settings(pairs))
                .getMessage();
    }

    @Test
    void nothingSetAsksNoKey() {
        ApiSecurity security = Settings.defaults().security();
        assertThat(security.enforced(), is(false));
        assertThat(security.keys().isEmpty(), is(true));
        assertThat(settings("security.public-read", "true").security().enforced(), is(false));
        assertThat(settings("security.require-key", "true").security().enforced(), is(true));
    }

    @Test
    void theTokenIsTheAdminKeyToken() {
        ApiSecurity security = settings("security.token", "t0ken").security();
        assertThat(security.enforced(), is(true));
        ApiKey token = security.keys().getFirst();
        assertThat(token.id(), is("token"));
        assertThat(token.admin(), is(true));
        assertThat(token.sha256(), is(Keys.sha256("t0ken")));
    }

    @Test
    void aKeyBySha256OrBySecretFileWithItsRules() throws Exception {
        Path file = Files.writeString(dir.resolve("ci.secret"), "from-a-file\n");
        String sha = Keys.sha256("by-hash");
        ApiSecurity security = settings(
                        "security.keys.0.id", "ci",
                        "security.keys.0.secret-sha256", sha.toUpperCase(),
                        "security.keys.0.rules.0.prefix", "team/",
                        "security.keys.0.rules.0.access", "write",
                        "security.keys.0.rules.1.prefix", "team/secrets/",
                        "security.keys.0.rules.1.access", "deny",
                        "security.keys.1.id", "backup",
                        "security.keys.1.secret-file", file.toString(),
                        "security.keys.1.admin", "true")
                .security();
        assertThat(security.enforced(), is(true));
        ApiKey ci = security.keys().get(0);
        assertThat(ci.sha256(), is(sha));
        assertThat(ci.rules().get(1).access(), is(Access.DENY));
        assertThat(ci.scope().mayWrite("team/x"), is(true));
        assertThat(ci.scope().mayRead("team/secrets/x"), is(false));
        ApiKey backup = security.keys().get(1);
        assertThat(backup.sha256(), is(Keys.sha256("from-a-file")));
        assertThat(backup.admin(), is(true));
    }

    @Test
    void aSecretInClearABadHashOrNoWayToRecogniseTheKeyIsRefusedAtStart() {
        assertThat(refusal("security.keys.0.id", "ci", "security.keys.0.secret", "clear"), containsString("never"));
        assertThat(
                refusal("security.keys.0.id", "ci", "security.keys.0.secret-sha256", "abc"),
                containsString("64 hex digits"));
        assertThat(refusal("security.keys.0.id", "ci"), containsString("needs secret-sha256"));
        assertThat(
                refusal("security.keys.0.id", "self", "security.keys.0.secret-sha256", Keys.sha256("x")),
                containsString("id"));
        assertThat(
                refusal(
                        "security.keys.0.id", "ci",
                        "security.keys.0.secret-sha256", Keys.sha256("x"),
                        "security.keys.0.rules.0.access", "all"),
                containsString("read"));
        assertThat(
                refusal(
                        "security.keys.0.id",
                        "ci",
                        "security.keys.0.secret-file",
                        dir.resolve("none").toString()),
                containsString("cannot be read"));
    }
}
