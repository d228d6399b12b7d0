package io.microstore.store;

/** One rule of a key: {@code access} to every app name that starts with {@code prefix} ("" is every name). */
public record Rule(String prefix, Access access) {
    public Rule {
        if (prefix == null || access == null) {
            throw new BadKey("a rule has a \"prefix\" (a string, \"\" for every name) and an \"access\"");
        }
    }
}
