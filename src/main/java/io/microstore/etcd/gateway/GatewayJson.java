package io.microstore.etcd.gateway;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;

/**
 * The v3 JSON gateway's wire shapes: keys and values in base64, int64s as strings, fields at their
 * default left out (0, false, empty), and a compare's {@code target} always sent (it defaults to VERSION).
 */
final class GatewayJson {
    private static final JsonProvider JSON = JsonProvider.provider();
    private static final Base64.Encoder B64 = Base64.getEncoder();
    private static final Base64.Decoder UNB64 = Base64.getDecoder();

    private GatewayJson() {}

    static JsonObjectBuilder object() {
        return JSON.createObjectBuilder();
    }

    static JsonObject parse(String text) {
        try (var reader = JSON.createReader(new StringReader(text))) {
            return reader.readObject();
        }
    }

    static String b64(byte[] bytes) {
        return B64.encodeToString(bytes);
    }

    static JsonObjectBuilder range(KeyRange range, long revision, long limit) {
        JsonObjectBuilder b = object().add("key", b64(range.key()));
        if (range.end().length > 0) {
            b.add("range_end", b64(range.end()));
        }
        if (revision > 0) {
            b.add("revision", Long.toString(revision));
        }
        if (limit > 0) {
            b.add("limit", Long.toString(limit));
        }
        return b;
    }

    static JsonObject txn(List<Compare> compares, List<RequestOp> success, List<RequestOp> failure) {
        var cs = JSON.createArrayBuilder();
        for (Compare c : compares) {
            String field = switch (c.target()) {
                case MOD -> "mod_revision";
                case CREATE -> "create_revision";
                case VERSION -> "version";
            };
            cs.add(object().add("key", b64(c.key()))
                    .add("target", c.target().name())
                    .add("result", c.result().name())
                    .add(field, Long.toString(c.value())));
        }
        return object().add("compare", cs)
                .add("success", ops(success))
                .add("failure", ops(failure))
                .build();
    }

    private static JsonArray ops(List<RequestOp> ops) {
        var array = JSON.createArrayBuilder();
        for (RequestOp op : ops) {
            array.add(
                    switch (op) {
                        case RequestOp.Put put -> object().add("request_put", put(put));
                        case RequestOp.Delete delete -> {
                            JsonObjectBuilder d = object().add("key", b64(delete.key()));
                            if (delete.prevKv()) {
                                d.add("prev_kv", true);
                            }
                            yield object().add("request_delete_range", d);
                        }
                        case RequestOp.Get get -> object().add("request_range", object().add("key", b64(get.key())));
                    });
        }
        return array.build();
    }

    /** The body of {@code /v3/kv/put} for {@code put}. */
    static JsonObject putRequest(RequestOp.Put put) {
        return put(put).build();
    }

    /** A {@code /v3/kv/put} answer as the result of a txn that ran that one put. */
    static TxnResult putResult(JsonObject o) {
        long revision = headerRevision(o);
        return new TxnResult(true, revision, List.of(new ResponseOp.Put(revision, prevLease(o))));
    }

    private static JsonObjectBuilder put(RequestOp.Put put) {
        JsonObjectBuilder p = object().add("key", b64(put.key())).add("value", b64(put.value()));
        if (put.lease() != 0) {
            p.add("lease", Long.toString(put.lease()));
        }
        if (put.ignoreLease()) {
            p.add("ignore_lease", true);
        }
        if (put.prevKv()) {
            p.add("prev_kv", true);
        }
        return p;
    }

    /** The lease of a put response's {@code prev_kv}, or of a delete response's first {@code prev_kvs}, or 0. */
    private static long prevLease(JsonObject response) {
        if (response.get("prev_kv") instanceof JsonObject prev) {
            return num(prev, "lease");
        }
        if (response.get("prev_kvs") instanceof JsonArray prevs && !prevs.isEmpty()) {
            return num(prevs.getJsonObject(0), "lease");
        }
        return 0;
    }

    /** An int64 (a string on the wire; absent = 0). */
    static long num(JsonObject o, String name) {
        JsonValue v = o == null ? null : o.get(name);
        if (v == null || v == JsonValue.NULL) {
            return 0;
        }
        return v instanceof JsonString s ? Long.parseLong(s.getString()) : Long.parseLong(v.toString());
    }

    /** A uint64 such as a member id, kept in a long's bits. */
    static long id(JsonObject o, String name) {
        return o.containsKey(name) ? Long.parseUnsignedLong(o.getString(name)) : 0;
    }

    static boolean bool(JsonObject o, String name) {
        return o.getBoolean(name, false);
    }

    static byte[] bytes(JsonObject o, String name) {
        return o.containsKey(name) ? UNB64.decode(o.getString(name)) : new byte[0];
    }

    static long headerRevision(JsonObject o) {
        return num(o.getJsonObject("header"), "revision");
    }

    static KeyValue keyValue(JsonObject kv) {
        return new KeyValue(
                bytes(kv, "key"),
                bytes(kv, "value"),
                num(kv, "create_revision"),
                num(kv, "mod_revision"),
                num(kv, "version"),
                num(kv, "lease"));
    }

    static RangeResult rangeResult(JsonObject o) {
        List<KeyValue> kvs = new ArrayList<>();
        for (JsonValue kv : o.getJsonArray("kvs") == null ? List.<JsonValue>of() : o.getJsonArray("kvs")) {
            kvs.add(keyValue(kv.asJsonObject()));
        }
        return new RangeResult(List.copyOf(kvs), headerRevision(o), bool(o, "more"), num(o, "count"));
    }

    static TxnResult txnResult(JsonObject o) {
        List<ResponseOp> responses = new ArrayList<>();
        JsonArray array = o.getJsonArray("responses");
        for (JsonValue v : array == null ? List.<JsonValue>of() : array) {
            JsonObject r = v.asJsonObject();
            if (r.containsKey("response_put")) {
                JsonObject put = r.getJsonObject("response_put");
                responses.add(new ResponseOp.Put(headerRevision(put), prevLease(put)));
            } else if (r.containsKey("response_delete_range")) {
                JsonObject delete = r.getJsonObject("response_delete_range");
                responses.add(new ResponseOp.Delete(num(delete, "deleted"), prevLease(delete)));
            } else if (r.containsKey("response_range")) {
                responses.add(new ResponseOp.Get(rangeResult(r.getJsonObject("response_range"))));
            } else {
                throw new IllegalStateException("unexpected txn response " + r);
            }
        }
        return new TxnResult(bool(o, "succeeded"), headerRevision(o), List.copyOf(responses));
    }

    static List<WatchEvent> events(JsonObject result) {
        JsonArray array = result.getJsonArray("events");
        if (array == null) {
            return List.of();
        }
        List<WatchEvent> events = new ArrayList<>(array.size());
        for (JsonValue v : array) {
            JsonObject e = v.asJsonObject();
            WatchEvent.Type type =
                    "DELETE".equals(e.getString("type", "PUT")) ? WatchEvent.Type.DELETE : WatchEvent.Type.PUT;
            events.add(new WatchEvent(type, keyValue(e.getJsonObject("kv"))));
        }
        return events;
    }
}
