package io.microstore.json.patch;

import java.util.List;

import io.microstore.json.BadPatch;
import io.microstore.json.JsonPointer;

/** A JSON Pointer (RFC 6901): empty for the whole document, else "/"-separated tokens with ~0 and ~1 escapes. */
record Pointer(String text, List<String> tokens) {
    /**
     * @throws BadPatch when {@code text} is not a pointer (not empty and no leading "/", or a "~" not
     *     followed by 0 or 1)
     */
    static Pointer parse(String text) {
        if (!text.isEmpty() && text.charAt(0) != '/') {
            throw new BadPatch("\"" + text + "\" is not a JSON Pointer: it must be empty or start with \"/\", "
                    + "such as \"/data/x\"");
        }
        List<String> tokens = JsonPointer.tokens(text);
        if (tokens == null) {
            throw new BadPatch("\"" + text + "\" is not a JSON Pointer: \"~\" must be followed by 0 or 1");
        }
        return new Pointer(text, tokens);
    }

    boolean isRoot() {
        return tokens.isEmpty();
    }

    /** Whether {@code other} lies strictly inside the value this pointer names. */
    boolean isProperPrefixOf(Pointer other) {
        return other.tokens.size() > tokens.size()
                && other.tokens.subList(0, tokens.size()).equals(tokens);
    }

    String last() {
        return tokens.getLast();
    }

    @Override
    public String toString() {
        return text.isEmpty() ? "the whole document" : text;
    }
}
