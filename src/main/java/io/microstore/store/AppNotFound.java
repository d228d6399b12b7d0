package io.microstore.store;

/** No app has this name. */
public final class AppNotFound extends RuntimeException {
    public AppNotFound(String name) {
        super("no app named '" + name + "'");
    }
}
