package io.microstore.api;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.microstore.commit.Compaction;
import io.microstore.store.Store;

/** {@code /api/admin}: operations on the store itself. */
public final class AdminService implements HttpService {
    private final Store store;

    public AdminService(Store store) {
        this.store = store;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/compact", this::compact)
                .any("/compact", MethodNotAllowed.handler("POST"));
    }

    /** Writes a snapshot now (after every write queued before) and answers when it is durable. */
    private void compact(ServerRequest req, ServerResponse res) {
        Compaction c = store.compact();
        String body = c == null
                ? "{\"compacted\":false,\"detail\":\"data is in memory only; there is nothing to compact\"}"
                : String.format("{\"compacted\":true,\"seq\":%d,\"apps\":%d,\"bytes\":%d,\"millis\":%d}",
                        c.seq(), c.apps(), c.bytes(), c.took().toMillis());
        Responses.json(req, res, body.getBytes());
    }
}
