package io.microstore.api;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.helidon.http.BadRequestException;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.http.UnauthorizedException;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.microstore.api.wire.AppsQuery;
import io.microstore.api.wire.Bodies;
import io.microstore.api.wire.Documents;
import io.microstore.api.wire.EntityTags;
import io.microstore.api.wire.Expiry;
import io.microstore.api.wire.ListQuery;
import io.microstore.api.wire.Patches;
import io.microstore.api.wire.PercentDecoder;
import io.microstore.api.wire.QueryParams;
import io.microstore.json.CompactJson;
import io.microstore.json.JsonWriter;
import io.microstore.store.AppNotFound;
import io.microstore.store.Command;
import io.microstore.store.Entry;
import io.microstore.store.Outcome;
import io.microstore.store.Page;
import io.microstore.store.PreconditionFailed;
import io.microstore.store.Query;
import io.microstore.store.QueryPage;
import io.microstore.store.RollupItem;
import io.microstore.store.RollupPage;
import io.microstore.store.Store;

/**
 * {@code /api/apps}: list, get, put and delete JSON documents by name; a PUT may give the app a time to
 * live ({@link Expiry}).
 */
public final class AppsService implements HttpService {
    /**
     * The rest of the path, slashes included. Not {@code {+name}}: Helidon compiles that to {@code .+},
     * which does not match line breaks, so such names would get 404 instead of a clear 400.
     */
    private static final String NAME_PATH = "/{name:[\\s\\S]+}";

    private static final String PREFIX = Route.APPS.path() + "/";

    private final Store store;
    private final Patches patches;
    private final long scanBudget;

    /**
     * {@code maxBytes}: the largest value a PATCH may produce (server.max-payload-size); {@code scanBudget}: the
     * most apps a query examines (store.query.scan-budget).
     */
    public AppsService(Store store, long maxBytes, long scanBudget) {
        this.store = store;
        this.patches = new Patches(maxBytes);
        this.scanBudget = scanBudget;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::list)
                .head("/", this::list)
                .any("/", MethodNotAllowed.handler("GET, HEAD"))
                .get(NAME_PATH, this::get)
                .head(NAME_PATH, this::get)
                .put(NAME_PATH, this::put)
                .delete(NAME_PATH, this::delete)
                .patch(NAME_PATH, this::patch)
                .any(NAME_PATH, MethodNotAllowed.handler("GET, HEAD, PUT, PATCH, DELETE"));
    }

    /**
     * The page is decided first, as references to its entries (consistent with respect to transactions),
     * so its Link header goes before the body; then its bytes are streamed, never built whole.
     */
    private void list(ServerRequest req, ServerResponse res) throws IOException {
        if (AppsQuery.asked(req.query())) {
            query(req, res, AppsQuery.from(req.query()));
            return;
        }
        ListQuery query = ListQuery.from(req.query());
        Authorize.readUnder(req, query.prefix());
        if (query.consistent()) {
            store.awaitConsistent();
        }
        long seq = store.lastSeq(); // before the listing: every change up to it is in the page
        Page page = store.list(query.prefix(), query.after(), query.limit(), Authorize.scope(req));
        String next = page.more()
                ? query.next(Route.APPS.path(), page.items().getLast().getKey())
                : null;
        pageHeaders(res, next, -1); // a plain listing counts nothing
        int examined = page.items().size() + (page.more() ? 1 : 0);
        queryHeaders(res, seq, null, examined, page.items().size());
        items(req, res, page.items(), query.includeData());
    }

    /**
     * A listing with where, order, count or cursor ({@code GET /api/apps}, and {@code POST /api/query} with the
     * same in a body): {@link Store#query}, bounded by the scan budget.
     */
    void query(ServerRequest req, ServerResponse res, AppsQuery asked) throws IOException {
        Query query = asked.toQuery();
        Authorize.readUnder(req, query.prefix());
        if (asked.consistent()) {
            store.awaitConsistent();
        }
        if (asked.delimiter() != null) {
            rollup(req, res, asked, query);
            return;
        }
        QueryPage page = store.query(query, scanBudget, Authorize.scope(req));
        pageHeaders(res, page.more() ? asked.next(Route.APPS.path(), query, page) : null, page.total());
        queryHeaders(
                res, page.seq(), page.index(), page.examined(), page.items().size());
        items(req, res, page.items(), asked.includeData());
    }

    /** A listing rolled up at a delimiter ({@link Store#rollup}): apps and rolled-up prefixes, in name order. */
    private void rollup(ServerRequest req, ServerResponse res, AppsQuery asked, Query query) throws IOException {
        RollupPage page =
                store.rollup(query, asked.delimiter(), asked.resumesScan(query), scanBudget, Authorize.scope(req));
        pageHeaders(res, page.more() ? asked.next(Route.APPS.path(), query, page) : null, page.total());
        queryHeaders(res, page.seq(), null, page.examined(), page.items().size());
        boolean includeData = asked.includeData();
        Responses.json(req, res, out -> {
            JsonWriter json = new JsonWriter(out).beginArray();
            for (RollupItem item : page.items()) {
                if (item.rolledUp()) {
                    json.beginObject().name("prefix").value(item.name()).endObject();
                } else {
                    Documents.writeApp(
                            json, item.name(), includeData ? item.entry().data() : null);
                }
            }
            json.endArray();
        });
    }

    /** A page's {@code next} link (null on the last page) and its count ({@code total}, -1 when not asked). */
    private static void pageHeaders(ServerResponse res, String next, long total) {
        if (next != null) {
            res.header(HeaderValues.create(HeaderNames.LINK, "<" + next + ">; rel=\"next\""));
        }
        if (total >= 0) {
            res.header(HeaderValues.create("X-Total-Count", total));
        }
    }

    /** How an answer was computed: the seq it was computed at and the plan (the index that served it, or a scan). */
    private static void queryHeaders(ServerResponse res, long seq, String index, long examined, int returned) {
        res.header(HeaderValues.create("Query-Seq", seq));
        String plan = index == null ? "scan" : "index=" + index;
        res.header(HeaderValues.create("Query-Plan", plan + "; examined=" + examined + "; returned=" + returned));
    }

    private static void items(
            ServerRequest req, ServerResponse res, List<Map.Entry<String, Entry>> items, boolean includeData)
            throws IOException {
        Responses.json(req, res, out -> {
            JsonWriter json = new JsonWriter(out).beginArray();
            for (Map.Entry<String, Entry> item : items) {
                Documents.writeApp(
                        json, item.getKey(), includeData ? item.getValue().data() : null);
            }
            json.endArray();
        });
    }

    private void get(ServerRequest req, ServerResponse res) {
        String name = name(req);
        Authorize.read(req, name); // before the store is touched: the same 403 whether or not the app exists
        Duration waitFor = QueryParams.waitTime(req.query());
        if (req.query().contains("consistent") && QueryParams.flag(req.query(), "consistent")) {
            store.awaitConsistent(); // a linearizable read: only when asked, the plain GET does no more work
        }
        Entry entry = store.get(name);
        if (entry != null
                && waitFor.isPositive()
                && EntityTags.matchHolds(req.headers(), entry)
                && EntityTags.notModified(req.headers(), entry)) {
            Caller caller = Authorize.caller(req);
            entry = store.watch(name, entry, waitFor, caller::valid);
            if (!caller.valid()) { // revoked while it waited: what its next request would get
                throw new UnauthorizedException(Authorize.REFUSAL);
            }
        }
        if (entry == null) {
            throw new AppNotFound(name); // no 2xx to make conditional: If-Match is not evaluated (RFC 9110 13.2.1)
        }
        if (!EntityTags.matchHolds(req.headers(), entry)) {
            throw new PreconditionFailed(name, entry); // before If-None-Match, as RFC 9110 13.2.2 orders them
        }
        res.header(Responses.etag(entry.etag()));
        Expiry.headers(res, entry, store.clock());
        if (EntityTags.notModified(req.headers(), entry)) {
            res.status(Status.NOT_MODIFIED_304).send();
            return;
        }
        Responses.json(req, res, Documents.app(name, entry.data()));
    }

    private void put(ServerRequest req, ServerResponse res) {
        String name = name(req);
        Authorize.write(req, name);
        Bodies.mediaType(req, HeaderNames.ACCEPT, "application/json", Bodies::isJson);
        byte[] data = CompactJson.member(Bodies.read(req), "data");
        if (data == null) {
            throw new BadRequestException(
                    "the body must be a JSON object with a \"data\" member, e.g. {\"data\": {\"x\": 1}}");
        }
        Duration ttl = Expiry.ttl(req.query());
        Outcome outcome = store.execute(new Command.Put(
                name, data, EntityTags.precondition(req.headers()), ttl == null ? 0 : store.expiresIn(ttl)));
        res.header(Responses.etag(outcome.entry().etag()));
        Expiry.headers(res, outcome.entry(), store.clock());
        res.status(Status.NO_CONTENT_204).send();
    }

    private void patch(ServerRequest req, ServerResponse res) {
        String name = name(req);
        Authorize.write(req, name);
        Expiry.noTtl(req.query(), "PATCH");
        String type = Bodies.mediaType(req, HeaderNames.ACCEPT_PATCH, Patches.ACCEPTED, Patches::supports);
        Command.Change change = patches.parse(type, Bodies.read(req));
        Outcome outcome = store.execute(new Command.Patch(name, change, EntityTags.precondition(req.headers())));
        res.header(Responses.etag(outcome.entry().etag()));
        Expiry.headers(res, outcome.entry(), store.clock()); // a patch keeps the app's expiry
        Responses.json(req, res, Documents.app(name, outcome.entry().data()));
    }

    private void delete(ServerRequest req, ServerResponse res) {
        String name = name(req);
        Authorize.write(req, name);
        Expiry.noTtl(req.query(), "DELETE");
        store.execute(new Command.Delete(name, EntityTags.precondition(req.headers())));
        res.status(Status.NO_CONTENT_204).send();
    }

    /**
     * The app name, decoded from the raw path here rather than taken from Helidon's path parameter,
     * which replaces invalid UTF-8 with U+FFFD and would make different names the same app. The store
     * checks it. It must be the name Helidon routed by, which removed dot segments and {@code ;}
     * parameters and merged {@code //} first: a path it normalised is refused, never read as another
     * app (one path, one app). Encoded, {@code %2E}, {@code %3B} and {@code %2F} are the name's own.
     */
    static String name(ServerRequest req) {
        String raw = req.path().absolute().rawPath();
        String name = raw.startsWith(PREFIX) ? PercentDecoder.decode(raw.substring(PREFIX.length())) : null;
        if (!req.path().pathParameters().get("name").equals(name)) {
            throw new BadRequestException("the path " + raw + " is not in normal form: it is routed as "
                    + req.path().absolute().path() + "; percent-encode '.' and '..' segments, ';' and empty "
                    + "segments of a name (%2E, %3B, %2F)");
        }
        return name;
    }
}
