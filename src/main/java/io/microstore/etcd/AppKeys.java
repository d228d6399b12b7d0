package io.microstore.etcd;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import io.microstore.etcd.gateway.KeyRange;
import io.microstore.etcd.gateway.RequestOp;
import io.microstore.store.InvalidName;

/**
 * Where apps live in etcd: app {@code name} is the key {@code <prefix>apps/<UTF-8 name>}. etcd orders
 * keys by bytes, which is the order of names, so a prefix range lists apps in name order. The key
 * {@code <prefix>apps/} + a zero byte is no app (names hold no control characters): a consistent read,
 * and an instance that starts, write it to see their own watch reach a revision when other datasets move
 * etcd's revision on.
 */
final class AppKeys {
    private final byte[] prefix;
    private final KeyRange all;
    private final byte[] marker;

    AppKeys(String prefix) {
        this.prefix = (prefix + "apps/").getBytes(StandardCharsets.UTF_8);
        this.all = KeyRange.prefix(this.prefix);
        this.marker = Arrays.copyOf(this.prefix, this.prefix.length + 1);
    }

    /** The key that is no app, in the range the watch follows. */
    byte[] marker() {
        return marker;
    }

    /**
     * A put of the marker: a write of this dataset that changes no app, so its revision is one every
     * instance's watch sees.
     */
    RequestOp touchMarker() {
        return RequestOp.put(marker, new byte[0]);
    }

    boolean isMarker(byte[] key) {
        return Arrays.equals(key, marker);
    }

    /** Every app's key. */
    KeyRange all() {
        return all;
    }

    /** The apps whose keys sort after {@code key}: the key plus a zero byte is the next possible key. */
    KeyRange after(byte[] key) {
        return all.from(Arrays.copyOf(key, key.length + 1));
    }

    /**
     * The key of app {@code name}. Encoded strictly: {@link String#getBytes} would turn an unpaired
     * surrogate into {@code ?}, the key of another app (the store refuses such names before this).
     */
    byte[] key(String name) {
        byte[] n;
        try {
            ByteBuffer utf8 = StandardCharsets.UTF_8.newEncoder().encode(CharBuffer.wrap(name)); // REPORTs by default
            n = Arrays.copyOf(utf8.array(), utf8.limit());
        } catch (CharacterCodingException e) {
            throw new InvalidName("the app name has an unpaired UTF-16 surrogate: it has no etcd key");
        }
        byte[] key = Arrays.copyOf(prefix, prefix.length + n.length);
        System.arraycopy(n, 0, key, prefix.length, n.length);
        return key;
    }

    String name(byte[] key) {
        return new String(key, prefix.length, key.length - prefix.length, StandardCharsets.UTF_8);
    }
}
