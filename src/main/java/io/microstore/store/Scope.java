package io.microstore.store;

import java.util.Comparator;
import java.util.List;

/**
 * Which app names a request may read and write: its key's rules, resolved by the API and handed to the store as a
 * predicate on names (the store never learns about keys, secrets or HTTP). For a name, the rule with the longest
 * prefix the name starts with decides; at equal length deny beats write beats read; no matching rule means no
 * access. The rules are kept sorted so that the first match is the deciding one: a key of 20 rules costs at most
 * 20 {@code startsWith} per name.
 */
public final class Scope {
    /** Every name, read and write: an admin key, or a server with no security configured. */
    public static final Scope ALL = new Scope(new Rule[] {new Rule("", Access.WRITE)}, true);

    private final Rule[] rules;
    private final boolean all;

    private Scope(Rule[] rules, boolean all) {
        this.rules = rules;
        this.all = all;
    }

    public static Scope of(List<Rule> rules) {
        Rule[] sorted = rules.toArray(Rule[]::new);
        java.util.Arrays.sort(
                sorted,
                Comparator.comparingInt((Rule r) -> r.prefix().length())
                        .reversed()
                        .thenComparing(
                                Comparator.comparingInt((Rule r) -> r.access().rank())
                                        .reversed()));
        return new Scope(sorted, false);
    }

    /** True when every name may be read and written: the store skips the per-name test. */
    public boolean all() {
        return all;
    }

    /** The access the deciding rule grants {@code name}, or null when no rule matches. */
    Access decide(String name) {
        for (Rule r : rules) {
            if (name.startsWith(r.prefix())) {
                return r.access();
            }
        }
        return null;
    }

    public boolean mayRead(String name) {
        if (all) {
            return true;
        }
        Access a = decide(name);
        return a == Access.READ || a == Access.WRITE;
    }

    public boolean mayWrite(String name) {
        return all || decide(name) == Access.WRITE;
    }

    /**
     * Whether some name that starts with {@code prefix} may be read at all (else a listing, query or feed under it
     * is a 403). A readable name's deciding rule is either no longer than the prefix (then it decides the prefix
     * itself too) or longer and under it (then it decides its own prefix as a name): those are the candidates.
     */
    public boolean mayReadUnder(String prefix) {
        if (all || mayRead(prefix)) {
            return true;
        }
        for (Rule r : rules) {
            if (r.prefix().length() > prefix.length() && r.prefix().startsWith(prefix) && mayRead(r.prefix())) {
                return true;
            }
        }
        return false;
    }
}
