package io.microstore.store;

import java.util.List;

/**
 * A query that needs more apps examined than {@code store.query.scan-budget} allows and cannot be answered in
 * part (an order, which needs every match before the first row, or an exact count): 422, with the index that
 * would serve it. The index is data (an id and paths); how to declare it is the API's to spell.
 */
public final class IndexRequired extends Refusal {
    private final String id;
    private final List<String> paths;
    private final boolean indexServes;

    /**
     * @param message what needs more than the budget, e.g. {@code ordering by /a needs more than
     *     store.query.scan-budget (1000) apps examined}
     * @param id a suggested id for the index, or null when there is none to suggest
     * @param paths the index's pointers; empty when they are the paths the where selector tests
     * @param indexServes whether an index answers the query within the budget; false for one that only a narrower
     *     prefix or a page without the count avoids (a rolled-up count)
     */
    public IndexRequired(String message, String id, List<String> paths, boolean indexServes) {
        super(message);
        this.id = id;
        this.paths = List.copyOf(paths);
        this.indexServes = indexServes;
    }

    /** The suggested index id, or null. */
    public String id() {
        return id;
    }

    /** The pointers the index would list, in order; empty when they are the ones the where selector tests. */
    public List<String> paths() {
        return paths;
    }

    public boolean indexServes() {
        return indexServes;
    }
}
