package io.microstore.api;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.helidon.http.BadRequestException;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.microstore.api.wire.Bodies;
import io.microstore.json.CompactJson;
import io.microstore.json.JsonText;
import io.microstore.json.JsonWriter;
import io.microstore.store.IndexInfo;
import io.microstore.store.Indexes;
import io.microstore.store.Store;

/**
 * {@code /api/indexes}: the secondary indexes. {@code PUT /api/indexes/{id}} with {@code {"paths": [...]}}
 * defines one (201; 200 when the same definition exists; 409 when the id has other paths), {@code GET} lists
 * them or shows one with its state and entries, {@code DELETE} drops one.
 */
public final class IndexService implements HttpService {
    private static final String ID_PATH = "/{id}";
    private final Indexes indexes;

    public IndexService(Store store) {
        this.indexes = store.indexes();
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::list)
                .head("/", this::list)
                .any("/", MethodNotAllowed.handler("GET, HEAD"))
                .get(ID_PATH, this::get)
                .head(ID_PATH, this::get)
                .put(ID_PATH, this::put)
                .delete(ID_PATH, this::delete)
                .any(ID_PATH, MethodNotAllowed.handler("GET, HEAD, PUT, DELETE"));
    }

    private void list(ServerRequest req, ServerResponse res) {
        List<IndexInfo> all = indexes.list();
        Responses.json(req, res, JsonWriter.toBytes(64 + 128 * all.size(), json -> {
            json.beginArray();
            for (IndexInfo i : all) {
                write(json, i);
            }
            json.endArray();
        }));
    }

    private void get(ServerRequest req, ServerResponse res) {
        answer(req, res, indexes.get(id(req)));
    }

    private void put(ServerRequest req, ServerResponse res) {
        String id = id(req);
        Bodies.mediaType(req, HeaderNames.ACCEPT, "application/json", Bodies::isJson);
        Map<String, byte[]> members = CompactJson.members(Bodies.read(req));
        for (String member : members.keySet()) {
            if (!member.equals("paths")) {
                throw new BadRequestException("an index has no member \"" + member
                        + "\"; it takes \"paths\", e.g. {\"paths\": [\"/status\"]}");
            }
        }
        byte[] list = members.get("paths");
        if (list == null || list[0] != '[') {
            throw new BadRequestException(
                    "\"paths\" must be an array of JSON Pointers, e.g. [\"/status\", \"/created\"]");
        }
        List<String> paths = new ArrayList<>();
        for (byte[] p : CompactJson.elements(list)) {
            if (p[0] != '"') {
                throw new BadRequestException("\"paths\" holds JSON Pointers (strings), not "
                        + new String(p, java.nio.charset.StandardCharsets.UTF_8));
            }
            paths.add(JsonText.decode(p, 0, p.length));
        }
        boolean created = indexes.define(id, paths);
        if (created) {
            res.status(Status.CREATED_201);
            res.header(HeaderValues.create(HeaderNames.LOCATION, Route.INDEXES.path() + "/" + id));
        }
        answer(req, res, indexes.get(id));
    }

    private void delete(ServerRequest req, ServerResponse res) {
        indexes.drop(id(req));
        res.status(Status.NO_CONTENT_204).send();
    }

    private static String id(ServerRequest req) {
        return req.path().pathParameters().get("id");
    }

    private static void answer(ServerRequest req, ServerResponse res, IndexInfo info) {
        Responses.json(req, res, JsonWriter.toBytes(160, json -> write(json, info)));
    }

    private static void write(JsonWriter json, IndexInfo i) throws IOException {
        json.beginObject().name("id").value(i.id()).name("paths").beginArray();
        for (String p : i.paths()) {
            json.value(p);
        }
        json.endArray()
                .name("state")
                .value(i.state())
                .name("entries")
                .value(i.entries())
                .endObject();
    }
}
