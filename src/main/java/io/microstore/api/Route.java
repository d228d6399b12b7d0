package io.microstore.api;

/**
 * Every route the server answers, declared once: {@code Main} mounts the services at them, the metrics name a
 * request by the route it took, and links (the next page of a listing, a name's place in the path) are
 * built from them.
 */
public enum Route {
    /** Redirects to the Swagger UI. */
    ROOT("/"),
    APPS("/api/apps"),
    /** One app: everything after {@code /api/apps/} is its name. */
    APP("/api/apps/{name}"),
    /** A query in a body: {@code GET /api/apps}'s parameters as JSON members. */
    QUERY("/api/query"),
    CHANGES("/api/changes"),
    TXN("/api/txn"),
    SCHEMA("/api/schema"),
    EXPORT("/api/export"),
    IMPORT("/api/import"),
    COMPACT("/api/admin/compact"),
    INDEXES("/api/indexes"),
    /** One secondary index: the last segment is its id. */
    INDEX("/api/indexes/{id}"),
    /** The API keys: list and make. */
    KEYS("/api/keys"),
    /** One key (the last segment is its id), or the caller's own: {@code /api/keys/self}. */
    KEY("/api/keys/{id}"),
    /** The data browser: static files from the jar's {@code ui/}, everything under it. */
    UI("/ui"),
    /** Helidon's OpenAPI document and the Swagger UI, everything under it. */
    OPENAPI("/openapi"),
    /** Helidon's health and metrics, everything under it. */
    OBSERVE("/observe");

    /** Every route of the API itself is under it. */
    public static final String API = "/api";

    private final String path;

    Route(String path) {
        this.path = path;
    }

    public String path() {
        return path;
    }

    /** Where the service that answers this route is mounted: its path without the last segment. */
    public String mount() {
        return path.substring(0, path.lastIndexOf('/'));
    }

    /** This route's path under its {@link #mount}: its last segment. */
    public String local() {
        return path.substring(path.lastIndexOf('/'));
    }
}
