package io.microstore.store;

import java.util.Comparator;

import io.microstore.json.CodePoints;

/** The rules for app names, and the order in which names are listed. */
public final class Names {
    /** Longest name, in UTF-8 bytes. */
    public static final int MAX_BYTES = 1024;

    /**
     * Unicode code point order, which is also UTF-8 byte order (and Python's string order, which the
     * old service used). {@link String#compareTo} compares UTF-16 units instead and would sort
     * characters above U+FFFF before U+E000..U+FFFF.
     */
    public static final Comparator<String> ORDER = CodePoints.ORDER; // shared with the query library's values

    private Names() {}

    /**
     * Returns {@code name} when it is Unicode text (I-JSON, RFC 7493: no unpaired UTF-16 surrogate) of
     * 1..1024 UTF-8 bytes without control characters. Every name a write or read takes passes here, so
     * whatever turns a name into UTF-8 later (journal, snapshot, etcd key, export) never meets one it
     * cannot encode: a lone surrogate would become {@code ?} and merge with the app named so.
     */
    public static String check(String name) {
        return check(name, "the app name");
    }

    /**
     * {@link #check(String)} of a text that must be what a name may be (a delimiter): a refusal calls it
     * {@code subject}, e.g. "the delimiter contains a control character (U+0001)".
     */
    public static String check(String name, String subject) {
        if (name == null || name.isEmpty()) {
            throw new InvalidName(subject + " is empty");
        }
        int bytes = 0;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isISOControl(c)) {
                throw new InvalidName(
                        subject + " contains a control character (U+" + String.format("%04X", (int) c) + ")");
            }
            if (Character.isSurrogate(c)) {
                if (!Character.isHighSurrogate(c)
                        || i + 1 == name.length()
                        || !Character.isLowSurrogate(name.charAt(i + 1))) {
                    throw new InvalidName(subject + " has an unpaired UTF-16 surrogate (\\u"
                            + String.format("%04X", (int) c) + " at position " + i
                            + "): names are Unicode text, which UTF-8 can encode (I-JSON, RFC 7493)");
                }
                i++; // the pair is one character of 4 bytes
                bytes += 4;
                continue;
            }
            bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
        }
        if (bytes > MAX_BYTES) {
            throw new InvalidName(subject + " is " + bytes + " bytes of UTF-8; at most " + MAX_BYTES + " are allowed");
        }
        return name;
    }
}
