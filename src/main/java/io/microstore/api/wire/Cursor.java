package io.microstore.api.wire;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;

import io.helidon.http.BadRequestException;

/**
 * The opaque {@code cursor=} of a query's next page: base64url of the query's hash (its prefix, selector and
 * order, canonical), the last row's sort key (empty in name order) and its name. The hash makes a cursor
 * replayed with another query a 400 rather than a page of some other answer.
 */
public record Cursor(String hash, String key, String name) {
    /** The hash of a query: a cursor is good only for the query with the same one. */
    public static String hash(String prefix, String where, String order) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((prefix + '\0' + where + '\0' + order).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The {@code cursor=} value: the hash, the key's length, the key, then the name (which may hold anything). */
    public String encode() {
        String text = hash + key.length() + ":" + key + name;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Reads a {@code cursor=} value, refusing (400) one that is not a cursor or belongs to another query. */
    public static Cursor decode(String value, String hash) {
        String text;
        try {
            text = new String(Base64.getUrlDecoder().decode(value), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw bad();
        }
        int colon = text.indexOf(':', hash.length());
        if (text.length() < hash.length() || colon < 0) {
            throw bad();
        }
        if (!text.startsWith(hash)) {
            throw new BadRequestException(
                    "the cursor belongs to another query: page on with the same where, order and prefix it came with");
        }
        String length = text.substring(hash.length(), colon);
        if (!length.matches("[0-9]{1,9}") || colon + 1 + Integer.parseInt(length) > text.length() - 1) {
            throw bad();
        }
        int end = colon + 1 + Integer.parseInt(length);
        return new Cursor(hash, text.substring(colon + 1, end), text.substring(end));
    }

    private static BadRequestException bad() {
        return new BadRequestException("cursor is not a cursor this server gave: take it from a Link rel=\"next\"");
    }
}
