package io.microstore.persist;

import java.nio.charset.StandardCharsets;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.microstore.commit.Change;
import io.microstore.json.JsonText;
import io.microstore.store.InvalidName;
import io.microstore.store.Names;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Any string as an app name: {@link Names#check} refuses it exactly when an independent reading of the
 * rules does (empty, a control character, an unpaired surrogate, over 1024 bytes of UTF-8), and a name it
 * takes is written to the journal and read back as itself, so no two names can become one on disk (what
 * made {@code "\ud800"} and {@code "?"} one app after a restart). Any string at all survives a JSON string
 * token both ways. The input's bytes are read as UTF-16 code units, so every char, lone surrogates too, can
 * occur.
 */
class NameRoundTripFuzzTest {
    @FuzzTest
    @DictionaryEntries({"\u00d8\u0000", "\u00dc\u0000", "\u00db\u00ff", "\u0000\u0000", "\u0000?"})
    void aNameIsRefusedOrComesBackAsItself(byte[] input) throws BadRecord {
        String name = new String(input, StandardCharsets.UTF_16BE);
        assertEquals(
                name,
                JsonText.decode(JsonText.quote(name), 0, JsonText.quote(name).length),
                "a JSON string token of any string reads back as that string");
        boolean valid;
        try {
            Names.check(name);
            valid = true;
        } catch (InvalidName e) {
            valid = false;
        }
        assertEquals(expectedValid(name), valid, "Names.check of " + escaped(name));
        if (!valid) {
            return;
        }
        RecordBuffer out = new RecordBuffer(64);
        Records.encode(out, 7, Change.put(name, "1".getBytes(StandardCharsets.US_ASCII)));
        JournalRecord record = Records.decode(out.array(), 0, out.size() - 1); // without its LF
        assertEquals(name, record.change().name(), "the journal's name for " + escaped(name));
    }

    /** The rules, read independently: 1..1024 bytes of UTF-8, no control characters, no unpaired surrogates. */
    private static boolean expectedValid(String name) {
        if (name.isEmpty()) {
            return false;
        }
        long bytes = 0;
        for (int i = 0; i < name.length(); ) {
            int cp = name.codePointAt(i);
            if (Character.isISOControl(cp) || cp >= 0xD800 && cp <= 0xDFFF) {
                return false;
            }
            bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            i += Character.charCount(cp);
        }
        return bytes <= Names.MAX_BYTES;
    }

    private static String escaped(String s) {
        StringBuilder out = new StringBuilder();
        s.chars()
                .forEach(
                        c -> out.append(c < 0x20 || c > 0x7e ? String.format("\\u%04x", c) : String.valueOf((char) c)));
        return out.toString();
    }
}
