package io.microstore.json;

import java.util.Comparator;

/**
 * Unicode code point order of strings, which is also UTF-8 byte order: the order app names are listed in and
 * object members are compared in. It lives in json, the leaf both the store and its query library may import, so
 * that there is one implementation of it. {@link String#compareTo} compares UTF-16 units instead and would sort
 * characters above U+FFFF (written as surrogate pairs) before U+E000..U+FFFF.
 */
public final class CodePoints {
    /** Compares two strings by Unicode code point; a surrogate, paired or not, sorts above U+E000..U+FFFF. */
    public static final Comparator<String> ORDER = CodePoints::compare;

    private CodePoints() {}

    /** Negative, zero or positive as {@code a} is before, equal to or after {@code b} in code point order. */
    public static int compare(String a, String b) {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            char x = a.charAt(i);
            char y = b.charAt(i);
            if (x != y) {
                return fix(x) - fix(y);
            }
        }
        return a.length() - b.length();
    }

    /**
     * Moves surrogates (U+D800..U+DFFF) above U+E000..U+FFFF, where the code points they encode belong: the one
     * place UTF-16 order differs from code point order. Below U+D800 a char is its code point.
     */
    private static int fix(char c) {
        if (c < 0xD800) {
            return c;
        }
        return c < 0xE000 ? c + 0x2000 : c - 0x800;
    }
}
