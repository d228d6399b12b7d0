package io.microstore.etcd;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The value envelope that carries an app's deadline through etcd to every instance. */
class ValuesTest {
    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aValueWithADeadlineIsItsJsonAfterAOneLineEnvelope() {
        byte[] value = Values.encode(bytes("{\"holder\":\"me\"}"), 1_767_225_630_000L);
        assertEquals("#expires 1767225630000\n{\"holder\":\"me\"}", new String(value, StandardCharsets.UTF_8));
        Values.Stored stored = Values.decode(value);
        assertArrayEquals(bytes("{\"holder\":\"me\"}"), stored.data());
        assertEquals(1_767_225_630_000L, stored.expires());
    }

    @ParameterizedTest
    @ValueSource(strings = {"{}", "1", "\"#expires 5\\n\"", "null", "[\"#expires 1\\n\"]"})
    void aValueWithoutADeadlineIsStoredAsItIsAndReadBackSo(String json) {
        byte[] data = bytes(json);
        assertSame(data, Values.encode(data, 0));
        Values.Stored stored = Values.decode(data);
        assertSame(data, stored.data());
        assertEquals(0, stored.expires());
        assertArrayEquals(data, Values.decode(Values.encode(data, 42)).data());
        assertEquals(42, Values.decode(Values.encode(data, 42)).expires());
    }

    /** Bytes someone else wrote that only look like an envelope are a value like any other. */
    @ParameterizedTest
    @ValueSource(strings = {"#", "#expires", "#expires ", "#expires x\n1", "#expires 12", "#expired 1\n2", ""})
    void aMalformedEnvelopeIsTakenAsItIs(String text) {
        Values.Stored stored = Values.decode(bytes(text));
        assertArrayEquals(bytes(text), stored.data());
        assertEquals(0, stored.expires());
    }
}
