package io.microstore.store;

/**
 * A query that needs more apps examined than {@code store.query.scan-budget} allows and cannot be answered in
 * part (an order, which needs every match before the first row, or an exact count): 422, with the index
 * request that would serve it.
 */
public final class IndexRequired extends Refusal {
    private final String request;

    public IndexRequired(String message, String request) {
        super(message);
        this.request = request;
    }

    /** The request that declares the index, e.g. {@code PUT /api/indexes/status {"paths": ["/status"]}}. */
    public String request() {
        return request;
    }
}
