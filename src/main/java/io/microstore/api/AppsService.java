package io.microstore.api;

import java.io.ByteArrayOutputStream;
import java.util.Map;

import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.microstore.json.CompactJson;
import io.microstore.json.JsonText;
import io.microstore.store.AppNotFound;
import io.microstore.store.Command;
import io.microstore.store.Entry;
import io.microstore.store.Names;
import io.microstore.store.Outcome;
import io.microstore.store.Page;
import io.microstore.store.Store;

/** {@code /api/apps}: list, get, put and delete JSON documents by name. */
public final class AppsService implements HttpService {
    private static final byte[] NAME = "{\"name\":".getBytes();
    private static final byte[] DATA = ",\"data\":".getBytes();

    private final Store store;

    public AppsService(Store store) {
        this.store = store;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::list)
                .head("/", this::list)
                .any("/", MethodNotAllowed.handler("GET, HEAD"))
                .get("/{+name}", this::get)
                .head("/{+name}", this::get)
                .put("/{+name}", this::put)
                .delete("/{+name}", this::delete)
                .any("/{+name}", MethodNotAllowed.handler("GET, HEAD, PUT, DELETE"));
    }

    private void list(ServerRequest req, ServerResponse res) {
        ListQuery query = ListQuery.from(req.query());
        Page page = store.list(query.prefix(), query.after(), query.limit());
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 + page.items().size() * 32);
        out.write('[');
        for (Map.Entry<String, Entry> item : page.items()) {
            if (out.size() > 1) {
                out.write(',');
            }
            writeApp(out, item.getKey(), query.includeData() ? item.getValue().data() : null);
        }
        out.write(']');
        if (page.more()) {
            String last = page.items().getLast().getKey();
            res.header(HeaderValues.create(HeaderNames.LINK, "<" + query.next(last) + ">; rel=\"next\""));
        }
        Responses.json(req, res, out.toByteArray());
    }

    private void get(ServerRequest req, ServerResponse res) {
        String name = name(req);
        Entry entry = store.get(name);
        if (entry == null) {
            throw new AppNotFound(name);
        }
        res.header(Responses.etag(entry.etag()));
        if (EntityTags.notModified(req.headers(), entry)) {
            res.status(Status.NOT_MODIFIED_304).send();
            return;
        }
        Responses.json(req, res, document(name, entry.data()));
    }

    private void put(ServerRequest req, ServerResponse res) {
        String name = name(req);
        Bodies.requireJson(req);
        byte[] data = CompactJson.member(Bodies.read(req), "data");
        if (data == null) {
            throw new BadRequest("the body must be a JSON object with a \"data\" member, e.g. {\"data\": {\"x\": 1}}");
        }
        Outcome outcome = store.execute(new Command.Put(name, data, EntityTags.precondition(req.headers())));
        res.header(Responses.etag(outcome.entry().etag()));
        res.status(Status.NO_CONTENT_204).send();
    }

    private void delete(ServerRequest req, ServerResponse res) {
        String name = name(req);
        store.execute(new Command.Delete(name, EntityTags.precondition(req.headers())));
        res.status(Status.NO_CONTENT_204).send();
    }

    /** {@code {"name": ..., "data": ...}} written from the stored bytes, without re-serialising them. */
    static byte[] document(String name, byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(name.length() + data.length + 24);
        writeApp(out, name, data);
        return out.toByteArray();
    }

    private static void writeApp(ByteArrayOutputStream out, String name, byte[] data) {
        out.writeBytes(NAME);
        JsonText.writeQuoted(out, name);
        if (data != null) {
            out.writeBytes(DATA);
            out.writeBytes(data);
        }
        out.write('}');
    }

    static String name(ServerRequest req) {
        return Names.check(req.path().pathParameters().get("name"));
    }
}
