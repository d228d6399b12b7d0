package io.microstore.store;

/**
 * A patch computed from a version of its app that is no longer the current one when it commits: the
 * store computes it again from the new version and resubmits it ({@link Store}). Never reaches a client.
 */
final class Stale extends RuntimeException {
    private final String name;

    Stale(String name) {
        super("app '" + name + "' changed after the patch was computed", null, false, false);
        this.name = name;
    }

    String name() {
        return name;
    }
}
