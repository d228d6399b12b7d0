package io.microstore.store.query;

import io.microstore.store.QueryRefusal;

/** A selector, order or cursor that is not valid; the message names the offending part. */
public final class BadQuery extends QueryRefusal {
    public BadQuery(String message) {
        super(message);
    }
}
