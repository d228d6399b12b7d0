package io.microstore.api;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.microstore.api.wire.AppsQuery;
import io.microstore.api.wire.Bodies;

/**
 * {@code POST /api/query}: a query too long for a URL, its parameters as members of a JSON body, answered
 * exactly as {@code GET /api/apps} answers them (the next page's link is that GET's URL).
 */
public final class QueryService implements HttpService {
    private final AppsService apps;

    public QueryService(AppsService apps) {
        this.apps = apps;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/", this::query).any("/", MethodNotAllowed.handler("POST"));
    }

    private void query(ServerRequest req, ServerResponse res) throws java.io.IOException {
        Bodies.mediaType(req, HeaderNames.ACCEPT, "application/json", Bodies::isJson);
        apps.query(req, res, AppsQuery.fromBody(Bodies.read(req)));
    }
}
