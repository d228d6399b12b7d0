package io.microstore.api;

import java.util.List;
import java.util.function.BooleanSupplier;

import io.microstore.store.Access;
import io.microstore.store.Rule;
import io.microstore.store.Scope;

/**
 * Who a request is, as {@link KeyAuth} resolved it: a key's id (null: anonymous), whether it is admin, its rules
 * and the {@link Scope} they make, and whether the key is still valid (a revoked key's streams end).
 */
public record Caller(String id, boolean admin, List<Rule> rules, Scope scope, BooleanSupplier current) {
    /** Anyone, on a server with no security configured: every name and every route, as before keys existed. */
    public static final Caller OPEN = new Caller(null, true, List.of(), Scope.ALL, () -> true);

    /** A request without a key under {@code security.public-read}: read every name, nothing else. */
    public static final Caller PUBLIC_READ = anonymous(List.of(new Rule("", Access.READ)));

    private static Caller anonymous(List<Rule> rules) {
        return new Caller(null, false, rules, Scope.of(rules), () -> true);
    }

    public boolean valid() {
        return current.getAsBoolean();
    }
}
