package io.microstore.store.query;

import java.nio.charset.StandardCharsets;
import java.util.List;

import io.microstore.json.JsonPointer;

/**
 * A JSON Pointer (RFC 6901) into an app's data, its tokens unescaped ({@code ~1} is "/", {@code ~0} is "~"), each
 * kept also as UTF-8 (to compare with stored names without decoding them) and as an array index when it is one
 * ("0" or a number without a leading zero; "-" is never an index: it names the element after the last).
 */
final class Path {
    static final Path ROOT = new Path("", List.of());

    private final String text;
    private final List<String> tokens;
    private final byte[][] utf8;
    private final int[] index;
    private final boolean[] plain;

    private Path(String text, List<String> tokens) {
        this.text = text;
        this.tokens = tokens;
        this.utf8 = new byte[tokens.size()][];
        this.index = new int[tokens.size()];
        this.plain = new boolean[tokens.size()];
        for (int i = 0; i < tokens.size(); i++) {
            utf8[i] = tokens.get(i).getBytes(StandardCharsets.UTF_8);
            index[i] = index(tokens.get(i));
            plain[i] = Selector.plain(utf8[i]);
        }
    }

    /** @throws BadQuery when {@code text} does not begin with "/" or has a "~" not followed by 0 or 1 */
    static Path parse(String text, String where) {
        if (text.isEmpty() || text.charAt(0) != '/') {
            throw new BadQuery(where + ": \"" + text + "\" is not a JSON Pointer: it must start with \"/\"");
        }
        List<String> tokens = JsonPointer.tokens(text);
        if (tokens == null) {
            throw new BadQuery(where + ": \"" + text + "\" is not a JSON Pointer: \"~\" must be followed by 0 or 1");
        }
        return new Path(text, tokens);
    }

    private static int index(String token) {
        int n = token.length();
        if (n == 0 || n > 9 || (n > 1 && token.charAt(0) == '0')) {
            return -1;
        }
        for (int i = 0; i < n; i++) {
            if (token.charAt(i) < '0' || token.charAt(i) > '9') {
                return -1;
            }
        }
        return Integer.parseInt(token);
    }

    int size() {
        return tokens.size();
    }

    String token(int i) {
        return tokens.get(i);
    }

    byte[] utf8(int i) {
        return utf8[i];
    }

    /** Whether token {@code i} has no quote or backslash, so that a stored name spelling it unescaped is its bytes. */
    boolean plain(int i) {
        return plain[i];
    }

    int index(int i) {
        return index[i];
    }

    String text() {
        return text;
    }

    @Override
    public String toString() {
        return text;
    }
}
