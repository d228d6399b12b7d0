package io.microstore.api;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

import io.microstore.store.InvalidName;

/** Strict percent-decoding of a path: only ASCII and {@code %XX} bytes, which must form valid UTF-8. */
final class PercentDecoder {
    private PercentDecoder() {
    }

    private static boolean plainAscii(String raw) {
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%' || c >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /**
     * The value of an ASCII hex digit, else -1. Not {@link Character#digit}, which also takes other
     * scripts' digits and full-width letters: "%\u0663\u0663" would decode to "3".
     */
    private static int hex(char c) {
        return c < 0x80 ? Character.digit(c, 16) : -1;
    }

    static String decode(String raw) {
        if (plainAscii(raw)) {
            return raw; // the common case
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                int hi = i + 2 < raw.length() ? hex(raw.charAt(i + 1)) : -1;
                int lo = hi >= 0 ? hex(raw.charAt(i + 2)) : -1;
                if (lo < 0) {
                    throw new InvalidName("the app name has a bad percent escape at character " + i);
                }
                bytes.write(hi << 4 | lo);
                i += 2;
            } else if (c < 0x80) {
                bytes.write(c);
            } else {
                // Helidon has already turned raw non-ASCII bytes of the request line into U+FFFD, so
                // they cannot be decoded faithfully: only percent-encoding names them reliably.
                throw new InvalidName("the app name has a raw non-ASCII character; percent-encode it (UTF-8)");
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new InvalidName("the app name is not valid UTF-8");
        }
    }
}
