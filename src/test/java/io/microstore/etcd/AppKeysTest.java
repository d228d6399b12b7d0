package io.microstore.etcd;

import java.nio.charset.StandardCharsets;

import io.microstore.store.InvalidName;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link AppKeys}: an app's etcd key is its name's UTF-8 bytes after the prefix, and back. */
class AppKeysTest {
    private final AppKeys keys = new AppKeys("/microstore/");

    @Test
    void aKeyIsThePrefixAndTheNamesUtf8() {
        byte[] key = keys.key("é/😀");
        assertThat(new String(key, StandardCharsets.UTF_8), is("/microstore/apps/é/😀"));
        assertThat(keys.name(key), is("é/😀"));
    }

    /** The store refuses such names first; were one to get here, it must not become the key of "?". */
    @Test
    void aNameUtf8CannotEncodeHasNoKey() {
        for (String name : new String[] {"\uD800", "a\uDC00", "\uDE00\uD83D"}) {
            InvalidName e = assertThrows(InvalidName.class, () -> keys.key(name));
            assertThat(e.getMessage(), containsString("unpaired UTF-16 surrogate"));
        }
    }
}
