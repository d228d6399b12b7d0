package io.microstore.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
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
import io.microstore.store.Access;
import io.microstore.store.ApiKey;
import io.microstore.store.Keys;
import io.microstore.store.Rule;

/**
 * {@code /api/keys}: {@code POST} with {@code {"id", "rules", "admin"}} makes a key and answers 201 with its
 * secret, the only time it is ever shown (256 bits of {@link SecureRandom}, URL-safe base64); {@code GET} lists
 * the keys (ids, rules, admin, source), or shows one; {@code DELETE} revokes one (204; 404; 409 for a config
 * key). {@code GET /api/keys/self} shows the caller's own key (any valid key, no admin needed). Neither a secret
 * nor a hash is ever in an answer. The admin check is {@code KeyAuth}'s, in front of this service.
 */
public final class KeysService implements HttpService {
    private static final String ID_PATH = "/{id}";
    private static final int SECRET_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final KeyRing ring;

    public KeysService(KeyRing ring) {
        this.ring = ring;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::list)
                .head("/", this::list)
                .post("/", this::create)
                .any("/", MethodNotAllowed.handler("GET, HEAD, POST"))
                .get("/" + Keys.SELF, this::self)
                .head("/" + Keys.SELF, this::self)
                .any("/" + Keys.SELF, MethodNotAllowed.handler("GET, HEAD"))
                .get(ID_PATH, this::get)
                .head(ID_PATH, this::get)
                .delete(ID_PATH, this::delete)
                .any(ID_PATH, MethodNotAllowed.handler("GET, HEAD, DELETE"));
    }

    private void list(ServerRequest req, ServerResponse res) {
        List<ApiKey> all = ring.list();
        Responses.json(req, res, JsonWriter.toBytes(64 + 128 * all.size(), json -> {
            json.beginArray();
            for (ApiKey k : all) {
                write(json, k.id(), k.admin(), k.rules(), k.source());
            }
            json.endArray();
        }));
    }

    private void get(ServerRequest req, ServerResponse res) {
        ApiKey k = ring.get(req.path().pathParameters().get("id"));
        Responses.json(
                req, res, JsonWriter.toBytes(256, json -> write(json, k.id(), k.admin(), k.rules(), k.source())));
    }

    /** The caller's id (null: anonymous), admin and rules: what the data browser shows a key may do. */
    private void self(ServerRequest req, ServerResponse res) {
        Caller c = Authorize.caller(req);
        Responses.json(req, res, JsonWriter.toBytes(256, json -> write(json, c.id(), c.admin(), c.rules(), null)));
    }

    private void delete(ServerRequest req, ServerResponse res) {
        ring.delete(req.path().pathParameters().get("id"));
        res.status(Status.NO_CONTENT_204).send();
    }

    private void create(ServerRequest req, ServerResponse res) {
        Bodies.mediaType(req, HeaderNames.ACCEPT, "application/json", Bodies::isJson);
        byte[] body = Bodies.read(req);
        if (body.length == 0 || body[0] != '{') {
            throw new BadRequestException("the body is a JSON object: {\"id\": \"ci\", \"rules\": [{\"prefix\": "
                    + "\"team/\", \"access\": \"write\"}], \"admin\": false}");
        }
        Map<String, byte[]> members = CompactJson.members(body);
        for (String member : members.keySet()) {
            if (!member.equals("id") && !member.equals("rules") && !member.equals("admin")) {
                throw new BadRequestException(
                        "a key has no member \"" + member + "\"; it takes \"id\", \"rules\" " + "and \"admin\"");
            }
        }
        String id = string(members.get("id"), "id");
        byte[] admin = members.get("admin");
        if (admin != null && !isBoolean(admin)) {
            throw new BadRequestException("\"admin\" is true or false");
        }
        boolean isAdmin = admin != null && admin[0] == 't';
        List<Rule> rules = rules(members.get("rules"));
        Keys.checkId(id);
        byte[] raw = new byte[SECRET_BYTES];
        RANDOM.nextBytes(raw);
        String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        ApiKey made = ring.create(id, Keys.sha256(secret), rules, isAdmin);
        res.status(Status.CREATED_201);
        res.header(HeaderValues.create(HeaderNames.LOCATION, Route.KEYS.path() + "/" + made.id()));
        res.header(HeaderValues.create(HeaderNames.CACHE_CONTROL, "no-store")); // the secret: no cache keeps it
        Responses.json(
                req,
                res,
                JsonWriter.toBytes(
                        128,
                        json -> json.beginObject()
                                .name("id")
                                .value(made.id())
                                .name("secret")
                                .value(secret)
                                .endObject()));
    }

    /** {@code [{"prefix": "...", "access": "read|write|deny"}, ...]}; absent: none (an admin key needs none). */
    static List<Rule> rules(byte[] list) {
        List<Rule> rules = new ArrayList<>();
        if (list == null) {
            return rules;
        }
        if (list[0] != '[') {
            throw new BadRequestException(
                    "\"rules\" is an array of {\"prefix\": \"...\", \"access\": \"read\" | " + "\"write\" | \"deny\"}");
        }
        for (byte[] r : CompactJson.elements(list)) {
            if (r[0] != '{') {
                throw new BadRequestException("a rule is an object {\"prefix\": \"...\", \"access\": \"...\"}");
            }
            Map<String, byte[]> members = CompactJson.members(r);
            if (members.size() != 2 || !members.containsKey("prefix") || !members.containsKey("access")) {
                throw new BadRequestException("a rule has exactly \"prefix\" and \"access\"");
            }
            rules.add(new Rule(
                    string(members.get("prefix"), "prefix"), Access.parse(string(members.get("access"), "access"))));
        }
        return rules;
    }

    private static String string(byte[] value, String member) {
        if (value == null || value[0] != '"') {
            throw new BadRequestException("\"" + member + "\" is a string");
        }
        return JsonText.decode(value, 0, value.length);
    }

    private static boolean isBoolean(byte[] value) {
        String s = new String(value, StandardCharsets.US_ASCII);
        return s.equals("true") || s.equals("false");
    }

    private static void write(JsonWriter json, String id, boolean admin, List<Rule> rules, String source)
            throws IOException {
        json.beginObject().name("id");
        if (id == null) {
            json.raw("null".getBytes(StandardCharsets.US_ASCII));
        } else {
            json.value(id);
        }
        json.name("admin").value(admin).name("rules").beginArray();
        for (Rule r : rules) {
            json.beginObject()
                    .name("prefix")
                    .value(r.prefix())
                    .name("access")
                    .value(r.access().wireName())
                    .endObject();
        }
        json.endArray();
        if (source != null) {
            json.name("source").value(source);
        }
        json.endObject();
    }
}
