package io.microstore.store;

/** No index has this id (a 404). */
public final class IndexNotFound extends Refusal {
    public IndexNotFound(String id) {
        super("no index '" + id + "'");
    }
}
