package io.microstore.json;

import java.util.ArrayList;
import java.util.List;

/**
 * The tokens of a JSON Pointer (RFC 6901), read one way for PATCH paths and query paths alike; each caller
 * refuses a bad pointer in its own words (a patch's 400, a query's 400 naming where it stood).
 */
public final class JsonPointer {
    private JsonPointer() {}

    /**
     * The unescaped tokens of {@code text}, which is empty or starts with "/"; null when a "~" is not
     * followed by 0 or 1.
     */
    public static List<String> tokens(String text) {
        List<String> tokens = new ArrayList<>();
        StringBuilder token = new StringBuilder();
        for (int i = 1; i <= text.length(); i++) {
            char c = i < text.length() ? text.charAt(i) : '/';
            if (c == '/') {
                tokens.add(token.toString());
                token.setLength(0);
            } else if (c == '~') {
                char next = i + 1 < text.length() ? text.charAt(i + 1) : ' ';
                if (next != '0' && next != '1') {
                    return null;
                }
                token.append(next == '0' ? '~' : '/');
                i++;
            } else {
                token.append(c);
            }
        }
        return List.copyOf(tokens);
    }
}
