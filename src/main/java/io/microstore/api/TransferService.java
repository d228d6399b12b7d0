package io.microstore.api;

import java.io.IOException;
import java.util.Map;

import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.microstore.api.wire.Bodies;
import io.microstore.api.wire.Documents;
import io.microstore.api.wire.ImportFormats;
import io.microstore.api.wire.QueryParams;
import io.microstore.json.JsonWriter;
import io.microstore.store.Entry;
import io.microstore.store.Importer;
import io.microstore.store.Store;

/**
 * {@code GET /api/export} streams every app as JSON lines ({@code {"name":..,"data":..}} per line, and
 * {@code "expires"} when it has a deadline);
 * {@code POST /api/import} takes the same format back ({@code ?overwrite=true} to replace existing names).
 */
public final class TransferService implements HttpService {
    static final String JSON_LINES = "application/x-ndjson";

    private final Store store;

    public TransferService(Store store) {
        this.store = store;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get(Route.EXPORT.local(), this::export)
                .head(Route.EXPORT.local(), this::export)
                .any(Route.EXPORT.local(), MethodNotAllowed.handler("GET, HEAD"))
                .post(Route.IMPORT.local(), this::importApps)
                .any(Route.IMPORT.local(), MethodNotAllowed.handler("POST"));
    }

    /**
     * Streams the apps in name order, each value straight from the index; writes that happen meanwhile may
     * or may not be included.
     */
    private void export(ServerRequest req, ServerResponse res) throws IOException {
        res.header(HeaderValues.create(HeaderNames.CONTENT_TYPE, JSON_LINES));
        if (req.prologue().method() == io.helidon.http.Method.HEAD) {
            res.send();
            return;
        }
        Responses.stream(res, out -> {
            JsonWriter json = new JsonWriter(out);
            for (Map.Entry<String, Entry> app : store.entries()) {
                Documents.writeExported(json, app.getKey(), app.getValue());
                json.newLine();
            }
        });
    }

    private void importApps(ServerRequest req, ServerResponse res) {
        boolean overwrite = QueryParams.trueOrFalse(req.query(), "overwrite");
        Bodies.mediaType(
                req,
                HeaderNames.ACCEPT,
                JSON_LINES,
                type -> type.equals(JSON_LINES) || type.equals("application/jsonl") || type.equals("application/json"));
        Importer.Report report = Importer.run(store, ImportFormats.fromJsonLines(Bodies.read(req)), overwrite);
        byte[] body = JsonWriter.toBytes(64, json -> {
            json.beginObject()
                    .name("imported")
                    .value(report.imported())
                    .name("expired")
                    .value(report.expired())
                    .name("refused")
                    .beginArray();
            for (String name : report.refused()) {
                json.value(name);
            }
            json.endArray().endObject();
        });
        Responses.json(req, res, body);
    }
}
