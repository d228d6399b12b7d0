package io.microstore.api;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import io.microstore.api.wire.Expiry;
import io.microstore.local.LocalEngine;
import io.microstore.persist.MemoryPersistence;
import io.microstore.store.Store;
import io.microstore.testing.ServerTestBase;
import io.microstore.testing.Stores;
import io.microstore.testing.TestClient;
import io.microstore.testing.TestClient.Res;
import io.microstore.testing.TestClock;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static io.microstore.testing.TestClient.JSON_PATCH;
import static io.microstore.testing.TestClient.MERGE;
import static io.microstore.testing.TestClient.app;
import static io.microstore.testing.TestClient.assertProblem;
import static io.microstore.testing.TestClient.assertStatus;
import static io.microstore.testing.TestClient.encode;
import static io.microstore.testing.TestClient.etag;
import static io.microstore.testing.TestClient.parse;
import static io.microstore.testing.TestClient.quote;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

/**
 * Model-based property test: random sequences of writes (plain and conditional), patches, reads and
 * listings go to a real server and to a small model (a sorted map of name → data and seq, plus the seq
 * counter); every status, ETag and body must agree, and so must the final state. One server serves every
 * try; each try works under its own name prefix. Each try's sequence comes from its own seed (in the
 * test's name), so a failure replays exactly; {@code -Dmodel.seed=N} starts from another base seed.
 *
 * <p>Expiry too: some PUTs carry a {@code ?ttl=}, and the model's clock is the server's (a {@link TestClock}
 * the local engine runs on), which an {@code Advance} action moves on. The model then deletes, with the
 * next seqs, every app whose deadline has passed, in deadline order (then seq), as the engine must; a
 * GET's {@code Expires} and {@code Expires-In} must be what the model computes. Each try ends by moving
 * the clock past its last deadline, so no expiry reaches into the next try.
 */
class ModelTest extends ServerTestBase {
    private static final List<String> KEYS = List.of("a", "a/b", "ab", "b c", "é", "😀", "\uFFFD");
    private static final List<String> MEMBERS = List.of("x", "y", "z");
    private static final AtomicInteger TRIES = new AtomicInteger();
    private static final int TRIES_PER_RUN = 100;

    private TestClock clock;
    private LocalEngine engine;

    @Override
    protected Store openStore() throws IOException {
        clock = new TestClock();
        engine = new LocalEngine(new MemoryPersistence(), Stores.LOCAL, clock);
        return Store.open(engine, FEED);
    }

    @Override
    protected Map<String, String> settings() {
        return Map.of("server.max-payload-size", "65536");
    }

    static LongStream seeds() {
        long base = Long.getLong("model.seed", 20261127L);
        return LongStream.range(base, base + TRIES_PER_RUN);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void serverBehavesLikeTheModel(long seed) {
        List<Action> actions = new Gen(new Random(seed)).actions();
        Model model = new Model("try" + TRIES.incrementAndGet() + "/", store.lastSeq());
        for (Action action : actions) {
            model.run(action);
        }
        model.checkEverything();
    }

    // --- the model ----------------------------------------------------------------------------

    /** What a condition header asks: none, the current tag, an outdated tag, If-Match: *, If-None-Match: *. */
    enum Cond {
        NONE,
        CURRENT,
        STALE,
        ANY,
        ABSENT
    }

    /** An app in the model: its data, the seq of its last change, its deadline (epoch millis, 0 = never). */
    record Doc(JsonValue data, long seq, long expires) {
        String etag() {
            return TestClient.etag(seq);
        }
    }

    /** A JSON Patch operation on {@code /data/<member>} (or {@code /name} for a rename). */
    record Op(String op, String path, String from, String value) {
        String json() {
            return "{\"op\":\"" + op + "\",\"path\":\"" + path + "\""
                    + (from == null ? "" : ",\"from\":\"" + from + "\"")
                    + (value == null ? "" : ",\"value\":" + value) + "}";
        }
    }

    sealed interface Action permits Put, Merge, Patch, Delete, Get, ListApps, Advance, Txn {}

    /** A PUT, with {@code ?ttl=} unless {@code ttl} is 0. */
    record Put(String key, String data, Cond cond, int ttl) implements Action {}

    record Merge(String key, String patch, Cond cond) implements Action {}

    record Patch(String key, List<Op> ops, Cond cond) implements Action {}

    record Delete(String key, Cond cond) implements Action {}

    record Get(String key, boolean ifNoneMatch) implements Action {}

    record ListApps(String prefix, int limit, boolean includeData) implements Action {}

    /** The clock moves on by {@code millis}; what expired by then is deleted. */
    record Advance(long millis) implements Action {}

    /** {@code POST /api/txn} of operations on distinct keys. */
    record Txn(List<TxnOp> ops) implements Action {}

    /** One operation of a transaction: {@code op} put (value: the data), patch (value: the merge), delete or check. */
    record TxnOp(String op, String key, String value, Cond cond) {}

    /** The expected state of one try, and the checks of each response against it. */
    final class Model {
        private final String prefix;
        private final TreeMap<String, Doc> apps = new TreeMap<>(TestClient::compareCodePoints);
        private final Map<String, Long> retired = new TreeMap<>(); // a tag each key had before, for STALE
        private long seq;

        Model(String prefix, long seq) {
            this.prefix = prefix;
            this.seq = seq;
        }

        void run(Action action) {
            switch (action) {
                case Put(String key, String data, Cond cond, int ttl) -> {
                    Res res = ttl == 0
                            ? http.put(prefix + key, "{\"data\":" + data + "}", headers(key, cond))
                            : http.send(
                                    "PUT",
                                    app(prefix + key) + "?ttl=" + ttl,
                                    "{\"data\":" + data + "}",
                                    concat(headers(key, cond), "Content-Type", "application/json"));
                    if (preconditionFails(key, cond, res)) {
                        return;
                    }
                    assertStatus(res, 204);
                    assertThat(
                            res.header("ETag"),
                            is(commit(key, parse(data), ttl == 0 ? 0 : clock.millis() + ttl * 1000L)));
                    assertExpiry(res, key);
                }
                case Merge(String key, String patch, Cond cond) -> {
                    Res res = http.patch(prefix + key, MERGE, patch, headers(key, cond));
                    if (!preconditionFails(key, cond, res) && !missing(key, res)) {
                        patched(key, merge(document(key), parse(patch)), res);
                    }
                }
                case Patch(String key, List<Op> ops, Cond cond) -> {
                    String body = ops.stream().map(Op::json).collect(Collectors.joining(",", "[", "]"));
                    Res res = http.patch(prefix + key, JSON_PATCH, body, headers(key, cond));
                    if (!preconditionFails(key, cond, res) && !missing(key, res)) {
                        patched(key, apply(document(key), ops), res);
                    }
                }
                case Delete(String key, Cond cond) -> {
                    Res res = http.delete(prefix + key, headers(key, cond));
                    if (preconditionFails(key, cond, res)) {
                        return;
                    }
                    assertStatus(res, 204);
                    if (apps.containsKey(key)) {
                        commit(key, null, 0);
                    }
                }
                case Get(String key, boolean ifNoneMatch) -> {
                    Doc doc = apps.get(key);
                    Res res = ifNoneMatch && doc != null
                            ? http.get(app(prefix + key), "If-None-Match", doc.etag())
                            : http.get(app(prefix + key));
                    if (doc == null) {
                        assertProblem(res, 404);
                    } else if (ifNoneMatch) {
                        assertStatus(res, 304);
                        assertThat(res.header("ETag"), is(doc.etag()));
                        assertExpiry(res, key);
                    } else {
                        assertDocument(res, 200, key);
                    }
                }
                case Txn(List<TxnOp> ops) -> transaction(ops);
                case ListApps(String sub, int limit, boolean includeData) -> {
                    Res res = http.get("/api/apps?prefix=" + encode(prefix + sub) + "&limit=" + limit
                            + (includeData ? "&include=data" : ""));
                    List<String> expected = apps.keySet().stream()
                            .filter(k -> k.startsWith(sub))
                            .toList();
                    assertStatus(res, 200);
                    assertThat(
                            res.json(),
                            is(listing(expected.subList(0, Math.min(limit, expected.size())), includeData)));
                    assertThat(res.describe(), res.header("Link") != null, is(expected.size() > limit));
                }
                case Advance(long millis) -> {
                    clock.advance(Duration.ofMillis(millis));
                    engine.expireDue();
                    expire();
                }
            }
        }

        /**
         * A transaction, by the rule: every condition first (the first that fails: 412 with its index and
         * the app's ETag), then every value (a patch of an absent app: 404); else all of it, with one seq
         * (none when it changes nothing).
         */
        private void transaction(List<TxnOp> ops) {
            String body = ops.stream().map(this::json).collect(Collectors.joining(",", "[", "]"));
            Res res = http.send("POST", "/api/txn", body, "Content-Type", TestClient.JSON);
            for (int i = 0; i < ops.size(); i++) {
                TxnOp op = ops.get(i);
                if (!holds(op.key(), op.cond())) {
                    JsonObject problem = assertProblem(res, 412);
                    assertThat(res.describe(), problem.getInt("index"), is(i));
                    Doc doc = apps.get(op.key());
                    assertThat(
                            res.describe(),
                            problem.containsKey("etag") ? problem.getString("etag") : null,
                            is(doc == null ? null : doc.etag()));
                    return;
                }
            }
            for (int i = 0; i < ops.size(); i++) {
                if (ops.get(i).op().equals("patch")
                        && !apps.containsKey(ops.get(i).key())) {
                    assertThat(res.describe(), assertProblem(res, 404).getInt("index"), is(i));
                    return;
                }
            }
            boolean changes = ops.stream()
                    .anyMatch(op -> op.op().equals("put")
                            || patchChanges(op)
                            || op.op().equals("delete") && apps.containsKey(op.key()));
            long txnSeq = changes ? seq + 1 : seq;
            var results = Json.createArrayBuilder();
            for (TxnOp op : ops) {
                JsonValue data = switch (op.op()) {
                    case "put" -> parse(op.value());
                    case "patch" -> merge(apps.get(op.key()).data(), parse(op.value()));
                    default -> null;
                };
                if (!op.op().equals("check") && !(op.op().equals("patch") && !patchChanges(op))) {
                    long expires = op.op().equals("patch") ? apps.get(op.key()).expires() : 0; // a patch keeps it
                    set(op.key(), data, txnSeq, expires);
                }
                JsonObjectBuilder result =
                        Json.createObjectBuilder().add("op", op.op()).add("name", prefix + op.key());
                if (apps.containsKey(op.key())) {
                    result.add("etag", apps.get(op.key()).etag());
                }
                results.add(result);
            }
            seq = txnSeq;
            assertStatus(res, 200);
            assertThat(
                    res.describe(),
                    res.json(),
                    is(Json.createObjectBuilder()
                            .add("seq", txnSeq)
                            .add("results", results)
                            .build()));
        }

        /** Whether a transaction's patch changes its app's value (else it commits nothing for it). */
        private boolean patchChanges(TxnOp op) {
            return op.op().equals("patch")
                    && !sameText(
                            merge(apps.get(op.key()).data(), parse(op.value())),
                            apps.get(op.key()).data());
        }

        private String json(TxnOp op) {
            String condition = switch (op.cond()) {
                case NONE -> "";
                case CURRENT ->
                    ",\"if_match\":"
                            + quote(
                                    apps.containsKey(op.key())
                                            ? apps.get(op.key()).etag()
                                            : "\"0\"");
                case STALE -> ",\"if_match\":" + quote(etag(retired.getOrDefault(op.key(), 0L)));
                case ANY -> ",\"if_match\":\"*\"";
                case ABSENT -> ",\"if_none_match\":\"*\"";
            };
            String value = switch (op.op()) {
                case "put" -> ",\"data\":" + op.value();
                case "patch" -> ",\"merge\":" + op.value();
                default -> "";
            };
            return "{\"op\":\"" + op.op() + "\",\"name\":" + quote(prefix + op.key()) + value + condition + "}";
        }

        /** Deletes what has expired by the clock's time now, in deadline order, then seq order. */
        private void expire() {
            apps.entrySet().stream()
                    .filter(e -> e.getValue().expires() > 0 && e.getValue().expires() <= clock.millis())
                    .sorted(Comparator.comparingLong(
                                    (Map.Entry<String, Doc> e) -> e.getValue().expires())
                            .thenComparingLong(e -> e.getValue().seq()))
                    .map(Map.Entry::getKey)
                    .toList()
                    .forEach(key -> commit(key, null, 0));
        }

        /** A GET, PUT or PATCH answer shows the app's deadline as the model has it, or none. */
        private void assertExpiry(Res res, String key) {
            long expires = apps.get(key).expires();
            if (expires == 0) {
                assertThat(res.describe(), res.header("Expires"), is(nullValue()));
                assertThat(res.describe(), res.header("Expires-In"), is(nullValue()));
                return;
            }
            assertThat(res.describe(), res.header("Expires"), is(Expiry.httpDate(expires)));
            assertThat(res.describe(), res.header("Expires-In"), is(String.valueOf((expires - clock.millis()) / 1000)));
            assertThat(res.describe(), res.header("Cache-Control"), is("no-cache"));
        }

        /**
         * The final state: every listed app, its data and its ETag; then, past the last deadline, that every
         * app with one has expired with the seqs the model gave it.
         */
        void checkEverything() {
            check();
            long last = apps.values().stream().mapToLong(Doc::expires).max().orElse(0);
            if (last > clock.millis()) {
                run(new Advance(last - clock.millis()));
            }
            assertThat(apps.values().stream().filter(doc -> doc.expires() > 0).toList(), is(List.of()));
            check();
            assertThat(store.lastSeq(), is(seq));
        }

        private void check() {
            Res res = http.get("/api/apps?include=data&prefix=" + encode(prefix));
            assertStatus(res, 200);
            assertThat(res.json(), is(listing(new ArrayList<>(apps.keySet()), true)));
            apps.keySet().forEach(key -> assertDocument(http.get(app(prefix + key)), 200, key));
        }

        /**
         * One committed mutation: the next seq, and the new data (null to delete) with its deadline (0 =
         * never). Returns the new ETag.
         */
        private String commit(String key, JsonValue data, long expires) {
            seq++;
            set(key, data, seq, expires);
            return etag(seq);
        }

        /** The data of {@code key} (null: deleted) as of {@code at}, expiring at {@code expires} (0 = never). */
        private void set(String key, JsonValue data, long at, long expires) {
            Doc old = data == null ? apps.remove(key) : apps.put(key, new Doc(data, at, expires));
            if (old != null) {
                retired.put(key, old.seq());
            }
        }

        private String[] headers(String key, Cond cond) {
            Doc doc = apps.get(key);
            return switch (cond) {
                case NONE -> new String[0];
                case CURRENT -> new String[] {"If-Match", doc != null ? doc.etag() : "\"0\""};
                case STALE -> new String[] {"If-Match", etag(retired.getOrDefault(key, 0L))};
                case ANY -> new String[] {"If-Match", "*"};
                case ABSENT -> new String[] {"If-None-Match", "*"};
            };
        }

        /** Whether {@code cond} holds for {@code key} in the model. */
        private boolean holds(String key, Cond cond) {
            Doc doc = apps.get(key);
            return switch (cond) {
                case NONE -> true;
                case CURRENT, ANY -> doc != null;
                case STALE -> false;
                case ABSENT -> doc == null;
            };
        }

        /** Checks a 412 when the condition does not hold for the model, and says whether it did not. */
        private boolean preconditionFails(String key, Cond cond, Res res) {
            Doc doc = apps.get(key);
            if (holds(key, cond)) {
                return false;
            }
            JsonObject problem = assertProblem(res, 412);
            assertThat(res.header("ETag"), is(doc == null ? null : doc.etag()));
            assertThat(
                    problem.containsKey("etag") ? problem.getString("etag") : null,
                    is(doc == null ? null : doc.etag()));
            return true;
        }

        private boolean missing(String key, Res res) {
            if (apps.containsKey(key)) {
                return false;
            }
            assertProblem(res, 404);
            return true;
        }

        /** The outcome of a patch whose result is {@code result}, or null for a conflict. */
        private void patched(String key, JsonValue result, Res res) {
            if (result == null) {
                assertProblem(res, 409);
            } else if (!(result instanceof JsonObject doc)
                    || doc.size() != 2
                    || !doc.containsKey("data")
                    || !(doc.get("name") instanceof JsonString name)
                    || !name.getString().equals(prefix + key)) {
                assertProblem(res, 422);
            } else if (sameText(doc.get("data"), apps.get(key).data())) {
                assertDocument(res, 200, key); // a patch that leaves the value as it is writes no version
                assertThat(res.header("ETag"), is(apps.get(key).etag()));
            } else {
                String tag = commit(key, doc.get("data"), apps.get(key).expires()); // a patch keeps the deadline
                assertDocument(res, 200, key);
                assertThat(res.header("ETag"), is(tag));
            }
        }

        private void assertDocument(Res res, int status, String key) {
            assertStatus(res, status);
            assertThat(res.header("Content-Type"), is("application/json"));
            assertThat(res.json(), is(document(key)));
            assertThat(res.header("ETag"), is(apps.get(key).etag()));
            assertExpiry(res, key);
        }

        private JsonObject document(String key) {
            return Json.createObjectBuilder()
                    .add("name", prefix + key)
                    .add("data", apps.get(key).data())
                    .build();
        }

        private JsonValue listing(List<String> keys, boolean includeData) {
            var array = Json.createArrayBuilder();
            keys.forEach(key -> array.add(
                    includeData
                            ? document(key)
                            : Json.createObjectBuilder()
                                    .add("name", prefix + key)
                                    .build()));
            return array.build();
        }
    }

    /** Whether two values are written alike (the store compares a patch's result with the value byte for byte). */
    static boolean sameText(JsonValue a, JsonValue b) {
        return a.toString().equals(b.toString());
    }

    /** RFC 7396, as written in its section 2. */
    static JsonValue merge(JsonValue target, JsonValue patch) {
        if (!(patch instanceof JsonObject p)) {
            return patch;
        }
        Map<String, JsonValue> result = target instanceof JsonObject t ? new LinkedHashMap<>(t) : new LinkedHashMap<>();
        p.forEach((name, value) -> {
            if (value == JsonValue.NULL) {
                result.remove(name);
            } else {
                result.put(name, merge(result.getOrDefault(name, JsonValue.NULL), value));
            }
        });
        return object(result);
    }

    /** RFC 6902 for the paths the generator makes: {@code /name} and {@code /data/<member>}; null on a conflict. */
    static JsonValue apply(JsonObject document, List<Op> ops) {
        Map<String, JsonValue> doc = new LinkedHashMap<>(document);
        for (Op op : ops) {
            if (op.path().equals("/name")) { // the generator only replaces the name
                doc.put("name", parse(op.value()));
                continue;
            }
            if (!(doc.get("data") instanceof JsonObject data)) {
                return null; // "/data/x" needs an object to point into
            }
            Map<String, JsonValue> members = new LinkedHashMap<>(data);
            String member = op.path().substring("/data/".length());
            String from = op.from() == null ? null : op.from().substring("/data/".length());
            if ((op.op().equals("remove")
                                    || op.op().equals("replace")
                                    || op.op().equals("test"))
                            && !members.containsKey(member)
                    || from != null && !members.containsKey(from)) {
                return null;
            }
            switch (op.op()) {
                case "add", "replace" -> members.put(member, parse(op.value()));
                case "remove" -> members.remove(member);
                case "test" -> {
                    if (!members.get(member).equals(parse(op.value()))) {
                        return null;
                    }
                }
                case "copy" -> members.put(member, members.get(from));
                case "move" -> {
                    if (!member.equals(from)) { // a move onto itself changes nothing
                        members.put(member, members.remove(from));
                    }
                }
                default -> throw new IllegalStateException(op.op());
            }
            doc.put("data", object(members));
        }
        return object(doc);
    }

    private static JsonObject object(Map<String, JsonValue> members) {
        JsonObjectBuilder builder = Json.createObjectBuilder();
        members.forEach(builder::add);
        return builder.build();
    }

    private static String[] concat(String[] headers, String... more) {
        String[] all = java.util.Arrays.copyOf(headers, headers.length + more.length);
        System.arraycopy(more, 0, all, headers.length, more.length);
        return all;
    }

    // --- generators -----------------------------------------------------------------------------

    /** Random actions and JSON texts, drawn with fixed weights from one seeded {@link Random}. */
    record Gen(Random random) {
        List<Action> actions() {
            List<Action> actions = new ArrayList<>();
            for (int i = 30 + random.nextInt(31); i > 0; i--) {
                actions.add(action());
            }
            return actions;
        }

        Action action() {
            return weighted(List.of(
                    Map.entry(
                            5,
                            () -> new Put(key(), value(), cond(), random.nextInt(3) == 0 ? 1 + random.nextInt(30) : 0)),
                    Map.entry(2, () -> new Advance(random.nextInt(20_000))),
                    Map.entry(3, () -> new Merge(key(), mergePatch(), cond())),
                    Map.entry(3, () -> new Patch(key(), ops(), cond())),
                    Map.entry(2, () -> new Delete(key(), cond())),
                    Map.entry(2, () -> new Get(key(), random.nextBoolean())),
                    Map.entry(3, this::txn),
                    Map.entry(
                            1,
                            () -> new ListApps(
                                    pick(List.of("", "a", "é", "\uFFFD")),
                                    1 + random.nextInt(4),
                                    random.nextBoolean()))));
        }

        String key() {
            return pick(KEYS);
        }

        /** 1 to 4 operations on distinct keys: puts, merges of the data, deletes and checks. */
        Txn txn() {
            List<String> keys = new ArrayList<>(KEYS);
            java.util.Collections.shuffle(keys, random);
            List<TxnOp> ops = new ArrayList<>();
            for (String key : keys.subList(0, 1 + random.nextInt(4))) {
                ops.add(weighted(List.of(
                        Map.entry(3, () -> new TxnOp("put", key, value(), cond())),
                        Map.entry(2, () -> new TxnOp("patch", key, dataMerge(), cond())),
                        Map.entry(2, () -> new TxnOp("delete", key, null, cond())),
                        Map.entry(
                                2,
                                () -> new TxnOp(
                                        "check",
                                        key,
                                        null,
                                        pick(List.of(
                                                Cond.CURRENT, Cond.CURRENT, Cond.STALE, Cond.ANY, Cond.ABSENT)))))));
            }
            return new Txn(ops);
        }

        /** A merge patch of the data: mostly members to set or remove, sometimes a value that replaces it. */
        String dataMerge() {
            Supplier<String> member = () -> weighted(List.of(
                    Map.entry(2, this::scalar),
                    Map.entry(1, () -> "null"),
                    Map.entry(1, () -> objectOf(this::scalar))));
            return weighted(List.of(
                    Map.entry(6, () -> objectOf(member)), Map.entry(1, this::value), Map.entry(1, () -> "null")));
        }

        Cond cond() {
            return weighted(List.of(
                    Map.entry(6, () -> Cond.NONE),
                    Map.entry(2, () -> Cond.CURRENT),
                    Map.entry(1, () -> Cond.STALE),
                    Map.entry(1, () -> Cond.ANY),
                    Map.entry(1, () -> Cond.ABSENT)));
        }

        /** Small JSON texts: numbers, strings, literals, arrays and objects over the members x, y, z. */
        String scalar() {
            return random.nextBoolean()
                    ? String.valueOf(random.nextInt(126) - 5)
                    : pick(List.of(
                            "\"\"", "\"s\"", "\"é 😀\"", "\"a\\\"b\"", "true", "false", "null", "1.5", "[]", "{}"));
        }

        String array() {
            List<String> items = new ArrayList<>();
            for (int i = random.nextInt(4); i > 0; i--) {
                items.add(scalar());
            }
            return "[" + String.join(",", items) + "]";
        }

        String value() {
            return weighted(List.of(
                    Map.entry(2, this::scalar),
                    Map.entry(1, this::array),
                    Map.entry(5, () -> objectOf(() -> random.nextBoolean() ? scalar() : array())),
                    Map.entry(1, () -> objectOf(() -> objectOf(this::scalar)))));
        }

        String objectOf(Supplier<String> values) {
            Map<String, String> members = new LinkedHashMap<>();
            for (int i = random.nextInt(4); i > 0; i--) {
                members.put(pick(MEMBERS), values.get());
            }
            return members.entrySet().stream()
                    .map(e -> quote(e.getKey()) + ":" + e.getValue())
                    .collect(Collectors.joining(",", "{", "}"));
        }

        String mergePatch() {
            Supplier<String> member = () -> weighted(List.of(
                    Map.entry(2, this::scalar),
                    Map.entry(1, () -> "null"),
                    Map.entry(1, () -> objectOf(this::scalar))));
            return weighted(List.of(
                    Map.entry(8, () -> "{\"data\":" + objectOf(member) + "}"),
                    Map.entry(2, () -> "{\"data\":" + value() + "}"),
                    Map.entry(
                            1,
                            () -> pick(List.of(
                                    "{}",
                                    "{\"name\":\"renamed\"}",
                                    "{\"data\":null}",
                                    "{\"extra\":1}",
                                    "{\"name\":null}",
                                    "[1]",
                                    "\"x\"")))));
        }

        List<Op> ops() {
            List<Op> ops = new ArrayList<>();
            for (int i = 1 + random.nextInt(3); i > 0; i--) {
                ops.add(op());
            }
            return ops;
        }

        Op op() {
            Supplier<String> path = () -> "/data/" + pick(MEMBERS);
            return weighted(List.of(
                    Map.entry(
                            4, () -> new Op(pick(List.of("add", "add", "replace", "test")), path.get(), null, value())),
                    Map.entry(2, () -> new Op("remove", path.get(), null, null)),
                    Map.entry(2, () -> new Op(pick(List.of("copy", "move")), path.get(), path.get(), null)),
                    Map.entry(1, () -> new Op("replace", "/name", null, "\"renamed\""))));
        }

        <T> T pick(List<T> items) {
            return items.get(random.nextInt(items.size()));
        }

        <T> T weighted(List<Map.Entry<Integer, Supplier<T>>> choices) {
            int total = choices.stream().mapToInt(Map.Entry::getKey).sum();
            int roll = random.nextInt(total);
            for (Map.Entry<Integer, Supplier<T>> choice : choices) {
                roll -= choice.getKey();
                if (roll < 0) {
                    return choice.getValue().get();
                }
            }
            throw new IllegalStateException("weights");
        }
    }

    /** The model's merge against the examples of RFC 7396 appendix A. */
    @Test
    void modelMergeFollowsTheRfc7396Examples() {
        List<List<String>> examples = List.of(
                List.of("{\"a\":\"b\"}", "{\"a\":\"c\"}", "{\"a\":\"c\"}"),
                List.of("{\"a\":\"b\"}", "{\"b\":\"c\"}", "{\"a\":\"b\",\"b\":\"c\"}"),
                List.of("{\"a\":\"b\"}", "{\"a\":null}", "{}"),
                List.of("{\"a\":\"b\",\"b\":\"c\"}", "{\"a\":null}", "{\"b\":\"c\"}"),
                List.of("{\"a\":[\"b\"]}", "{\"a\":\"c\"}", "{\"a\":\"c\"}"),
                List.of("{\"a\":\"c\"}", "{\"a\":[\"b\"]}", "{\"a\":[\"b\"]}"),
                List.of("{\"a\":{\"b\":\"c\"}}", "{\"a\":{\"b\":\"d\",\"c\":null}}", "{\"a\":{\"b\":\"d\"}}"),
                List.of("{\"a\":[{\"b\":\"c\"}]}", "{\"a\":[1]}", "{\"a\":[1]}"),
                List.of("[\"a\",\"b\"]", "[\"c\",\"d\"]", "[\"c\",\"d\"]"),
                List.of("{\"a\":\"b\"}", "[\"c\"]", "[\"c\"]"),
                List.of("{\"a\":\"foo\"}", "null", "null"),
                List.of("{\"a\":\"foo\"}", "\"bar\"", "\"bar\""),
                List.of("{\"e\":null}", "{\"a\":1}", "{\"e\":null,\"a\":1}"),
                List.of("[1,2]", "{\"a\":\"b\",\"c\":null}", "{\"a\":\"b\"}"),
                List.of("{}", "{\"a\":{\"bb\":{\"ccc\":null}}}", "{\"a\":{\"bb\":{}}}"));
        for (List<String> e : examples) {
            assertThat(e.toString(), merge(parse(e.get(0)), parse(e.get(1))), is(parse(e.get(2))));
        }
    }

    /** The model's JSON Patch: in order, all or nothing, conflicts on missing members. */
    @Test
    void modelPatchAppliesInOrderAndAllOrNothing() {
        JsonObject doc = parse("{\"name\":\"n\",\"data\":{\"x\":1}}").asJsonObject();
        assertThat(
                apply(
                        doc,
                        List.of(
                                new Op("copy", "/data/y", "/data/x", null),
                                new Op("replace", "/data/x", null, "2"),
                                new Op("move", "/data/z", "/data/y", null),
                                new Op("test", "/data/z", null, "1"))),
                is(parse("{\"name\":\"n\",\"data\":{\"x\":2,\"z\":1}}")));
        assertThat(
                apply(doc, List.of(new Op("add", "/data/y", null, "1"), new Op("remove", "/data/q", null, null))),
                is(nullValue()));
        assertThat(
                apply(
                        parse("{\"name\":\"n\",\"data\":[1]}").asJsonObject(),
                        List.of(new Op("add", "/data/y", null, "1"))),
                is(nullValue()));
        assertThat(doc, is(parse("{\"name\":\"n\",\"data\":{\"x\":1}}")));
    }
}
