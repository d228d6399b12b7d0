package io.microstore.store;

/** No app has this name. */
public final class AppNotFound extends Refusal {
    public AppNotFound(String name) {
        super("no app named '" + name + "'");
    }
}
