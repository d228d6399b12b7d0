package io.microstore.api;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.helidon.http.BadRequestException;
import io.microstore.api.wire.PercentDecoder;
import io.microstore.store.InvalidName;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The app-name decoder against a straightforward reference: only ASCII and {@code %XX} with ASCII hex
 * digits, forming valid UTF-8; anything else is an {@link InvalidName}, never another exception. What
 * it accepts, percent-encoded byte by byte, decodes to the same name again. The input file is the raw
 * path as UTF-8 (invalid bytes become U+FFFD, as Helidon makes them).
 */
class PercentDecoderFuzzTest {
    @FuzzTest
    void decodeAgreesWithReference(byte[] input) {
        String raw = new String(input, StandardCharsets.UTF_8);
        String expected = reference(raw);
        String decoded;
        try {
            decoded = PercentDecoder.decode(raw);
        } catch (InvalidName e) {
            if (expected != null) {
                fail("refused " + raw + " (" + e.getMessage() + "), which names " + expected);
            }
            return;
        }
        if (expected == null) {
            fail("accepted " + raw + " as " + decoded + ", but it is not ASCII with %XX escapes forming UTF-8");
        }
        assertEquals(expected, decoded);
        assertEquals(decoded, PercentDecoder.decode(encodeAll(decoded)), "percent-encoding every byte round-trips");
    }

    /**
     * The same for a query parameter that carries a name: {@code +} is a space, a refusal a
     * {@link BadRequestException}.
     */
    @FuzzTest
    void decodeQueryAgreesWithReference(byte[] input) {
        String raw = new String(input, StandardCharsets.UTF_8);
        String expected = reference(raw.replace('+', ' '));
        String decoded;
        try {
            decoded = PercentDecoder.decodeQuery(raw, "prefix");
        } catch (BadRequestException e) {
            if (expected != null) {
                fail("refused " + raw + " (" + e.getMessage() + "), which means " + expected);
            }
            return;
        }
        if (expected == null) {
            fail("accepted " + raw + " as " + decoded + ", but it is not ASCII with %XX escapes forming UTF-8");
        }
        assertEquals(expected, decoded);
        assertEquals(
                decoded,
                PercentDecoder.decodeQuery(encodeAll(decoded), "prefix"),
                "percent-encoding every byte round-trips");
    }

    /** The name {@code raw} stands for, or null when it is not a valid percent-encoded name. */
    private static String reference(String raw) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c >= 0x80) {
                return null;
            }
            if (c != '%') {
                bytes.write(c);
                continue;
            }
            if (i + 2 >= raw.length() || hex(raw.charAt(i + 1)) < 0 || hex(raw.charAt(i + 2)) < 0) {
                return null;
            }
            bytes.write(hex(raw.charAt(i + 1)) * 16 + hex(raw.charAt(i + 2)));
            i += 2;
        }
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    private static String encodeAll(String name) {
        StringBuilder out = new StringBuilder();
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            out.append(String.format("%%%02X", b & 0xFF));
        }
        return out.toString();
    }
}
