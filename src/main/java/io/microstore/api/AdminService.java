package io.microstore.api;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.microstore.commit.Compaction;
import io.microstore.json.JsonWriter;
import io.microstore.store.Store;

/** {@code /api/admin}: operations on the store itself. */
public final class AdminService implements HttpService {
    private final Store store;

    public AdminService(Store store) {
        this.store = store;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post(Route.COMPACT.local(), this::compact).any(Route.COMPACT.local(), MethodNotAllowed.handler("POST"));
    }

    /** Writes a snapshot now (after every write queued before) and answers when it is durable. */
    private void compact(ServerRequest req, ServerResponse res) {
        Compaction c = store.compact();
        byte[] body = JsonWriter.toBytes(96, json -> {
            json.beginObject();
            if (c == null) {
                json.name("compacted")
                        .value(false)
                        .name("detail")
                        .value("data is in memory only; there is nothing to compact");
            } else {
                json.name("compacted")
                        .value(true)
                        .name("seq")
                        .value(c.seq())
                        .name("apps")
                        .value(c.apps())
                        .name("bytes")
                        .value(c.bytes())
                        .name("millis")
                        .value(c.took().toMillis());
            }
            json.endObject();
        });
        Responses.json(req, res, body);
    }
}
