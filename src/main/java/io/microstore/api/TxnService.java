package io.microstore.api;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.microstore.api.wire.Bodies;
import io.microstore.api.wire.Patches;
import io.microstore.api.wire.TxnBody;
import io.microstore.json.JsonWriter;
import io.microstore.store.Command;
import io.microstore.store.Forbidden;
import io.microstore.store.Op;
import io.microstore.store.Outcome;
import io.microstore.store.Scope;
import io.microstore.store.Store;
import io.microstore.store.Transaction;
import io.microstore.store.TxnOutcome;

/**
 * {@code POST /api/txn}: several writes and checks that commit together or not at all ({@link TxnBody});
 * 200 with the transaction's seq and each operation's app ETag, or the refusal of the first operation
 * that failed, with its {@code index}.
 */
public final class TxnService implements HttpService {
    private final Store store;
    private final TxnBody body;

    /** {@code maxBytes}: the largest value a patch may produce (server.max-payload-size). */
    public TxnService(Store store, long maxBytes) {
        this.store = store;
        this.body = new TxnBody(new Patches(maxBytes), store::expiresIn);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/", this::transact).any("/", MethodNotAllowed.handler("POST"));
    }

    private void transact(ServerRequest req, ServerResponse res) {
        Bodies.mediaType(req, HeaderNames.ACCEPT, "application/json", Bodies::isJson);
        Transaction txn = body.parse(Bodies.read(req));
        authorize(req, txn);
        Responses.json(req, res, answer(txn, store.execute(txn)));
    }

    /**
     * Every operation, {@code check} included, before any runs: a check reads its app, the others write it; the
     * first the key does not allow refuses the whole transaction, with its index.
     */
    private static void authorize(ServerRequest req, Transaction txn) {
        Caller caller = Authorize.caller(req);
        Scope scope = caller.scope();
        for (int i = 0; i < txn.size(); i++) {
            Command command = txn.commands().get(i);
            boolean allowed =
                    command instanceof Command.Check ? scope.mayRead(command.name()) : scope.mayWrite(command.name());
            if (!allowed) {
                RuntimeException refusal = Authorize.refusal(caller);
                // a 401 is about the request (it has no key), not about one operation: no index
                throw refusal instanceof Forbidden ? txn.refusal(i, refusal) : refusal;
            }
        }
    }

    /** {@code {"seq":S,"results":[{"op":..,"name":..[,"etag":..]},...]}}: an etag wherever the app exists after it. */
    private static byte[] answer(Transaction txn, TxnOutcome outcome) {
        return JsonWriter.toBytes(32 + 48 * txn.size(), json -> {
            json.beginObject().name("seq").value(outcome.seq()).name("results").beginArray();
            for (int i = 0; i < txn.size(); i++) {
                Command command = txn.commands().get(i);
                Outcome result = outcome.results().get(i);
                json.beginObject()
                        .name("op")
                        .value(Op.of(command).wireName())
                        .name("name")
                        .value(command.name());
                if (result.entry() != null) {
                    json.name("etag").value(result.entry().etag());
                }
                json.endObject();
            }
            json.endArray().endObject();
        });
    }
}
