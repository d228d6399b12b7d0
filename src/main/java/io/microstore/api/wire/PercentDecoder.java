package io.microstore.api.wire;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;

import io.helidon.http.BadRequestException;
import io.microstore.store.InvalidName;

/**
 * Strict percent-decoding of a path or of a query parameter that carries a name: only ASCII and
 * {@code %XX} bytes, which must form valid UTF-8. Helidon decodes leniently (invalid UTF-8 becomes
 * U+FFFD), which would make different spellings the same name.
 */
public final class PercentDecoder {
    private PercentDecoder() {}

    private static boolean plainAscii(String raw, boolean plusIsSpace) {
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%' || c >= 0x80 || c == '+' && plusIsSpace) {
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

    /** The app name a raw path (after {@code /api/apps/}) spells; {@code +} is itself there. */
    public static String decode(String raw) {
        return decode(raw, false, "the app name", InvalidName::new);
    }

    /**
     * The value of the query parameter {@code name} from its raw spelling. {@code +} is a space, as
     * in a form ({@code application/x-www-form-urlencoded}) and as Helidon reads every other parameter.
     */
    public static String decodeQuery(String raw, String name) {
        return decode(raw, true, "the query parameter " + name, BadRequestException::new);
    }

    private static String decode(
            String raw, boolean plusIsSpace, String what, Function<String, RuntimeException> refused) {
        if (plainAscii(raw, plusIsSpace)) {
            return raw; // the common case
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                int hi = i + 2 < raw.length() ? hex(raw.charAt(i + 1)) : -1;
                int lo = hi >= 0 ? hex(raw.charAt(i + 2)) : -1;
                if (lo < 0) {
                    throw refused.apply(what + " has a bad percent escape at character " + i);
                }
                bytes.write(hi << 4 | lo);
                i += 2;
            } else if (c == '+' && plusIsSpace) {
                bytes.write(' ');
            } else if (c < 0x80) {
                bytes.write(c);
            } else {
                // Helidon has already turned raw non-ASCII bytes of the request line into U+FFFD, so
                // they cannot be decoded faithfully: only percent-encoding names them reliably.
                throw refused.apply(what + " has a raw non-ASCII character; percent-encode it (UTF-8)");
            }
        }
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw refused.apply(what + " is not valid UTF-8");
        }
    }
}
