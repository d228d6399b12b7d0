package io.microstore.store;

import java.util.Locale;

/**
 * What a key's rule grants under its prefix. {@link #WRITE} implies read. When rules of the same prefix length
 * disagree, the higher {@link #rank} decides: deny beats write beats read, so a mistake errs towards refusing.
 */
public enum Access {
    READ(1),
    WRITE(2),
    DENY(3);

    private final int rank;

    Access(int rank) {
        this.rank = rank;
    }

    int rank() {
        return rank;
    }

    /** As the API and the config spell it: {@code read}, {@code write} or {@code deny}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws BadKey when {@code text} is none of the three */
    public static Access parse(String text) {
        return switch (text == null ? "" : text) {
            case "read" -> READ;
            case "write" -> WRITE;
            case "deny" -> DENY;
            default -> throw new BadKey("access is \"read\", \"write\" or \"deny\", not \"" + text + "\"");
        };
    }
}
