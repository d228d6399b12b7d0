package io.microstore.api;

import java.math.BigDecimal;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

import io.microstore.testing.Eventually;
import io.microstore.testing.ServerTestBase;
import io.microstore.testing.TestClient;
import io.microstore.testing.TestClient.Res;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.Test;

import static io.microstore.testing.TestClient.assertStatus;
import static io.microstore.testing.TestClient.compareCodePoints;
import static io.microstore.testing.TestClient.encode;
import static io.microstore.testing.TestClient.next;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/**
 * The model-based property test of queries over HTTP: random apps under a prefix of the test's own, random
 * selectors over every operator, random orders and limits; every page followed to the end through the next links
 * (GET and POST /api/query alternately) must equal a plain evaluation, here, of the contract as docs/API.md writes
 * it ("Querying: the selector and the comparison contract"), written from the doc and not from store/query, and
 * every page's X-Total-Count (asked for most queries) the number of matches. Meanwhile writers put and delete apps just outside the prefix
 * (names that sort right before and after it) with values the selectors match, and apps inside it are rewritten
 * with their same value between pages: a wrong prefix bound, a leaking cursor, or an unchanged app skipped or seen
 * twice shows as a difference.
 *
 * <p>The seed is random unless {@code -Dquery.model.seed=N}; a failure names it. A subclass (or a later variant)
 * declares indexes before the run with {@link #indexes}.
 */
class QueryModelTest extends ServerTestBase {
    private static final String PREFIX = "qm/";
    /** Names right outside {@link #PREFIX}: '.' sorts just before '/', '0' just after. */
    private static final List<String> OUTSIDE = List.of("qm", "qm.", "qm.z", "qm0", "qm0/a", "ql/z", "qm\uFFFF");

    private static final Object MISSING = new Object() {
        @Override
        public String toString() {
            return "<missing>";
        }
    };
    private static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    /** A JSON number as written; it compares as the exact decimal it denotes. */
    private record Num(String text) {
        BigDecimal value() {
            return new BigDecimal(text);
        }

        @Override
        public String toString() {
            return text;
        }
    }

    /** A selector as sent, and what it means by the contract: a test of the value it is about. */
    private record Sel(String json, Predicate<Object> test) {}

    private static final String EMOJI = "\uD83D\uDE00";
    private static final List<String> NUMBERS = List.of(
            "1", "1.0", "1e0", "10e-1", "-0", "0", "2", "-1.5", "0.5", "100", "9007199254740992", "9007199254740993");
    private static final List<String> STRINGS =
            List.of("", "a", "b", "ab", "\uFFFF", EMOJI, "\u00e9", "e\u0301", "0666", "666", "a.b", "1");
    private static final List<String> POINTERS = List.of(
            "/n", "/s", "/arr", "/arr/0", "/arr/1", "/o", "/o/k", "/o/j", "/", "/a.b", "/$x", "/~0", "/~1", "/s/x");
    private static final List<String> MEMBERS = List.of("n", "s", "arr", "o", "", "a.b", "$x", "~", "/");
    private static final List<String> TYPES = List.of("null", "boolean", "number", "string", "array", "object");

    /** Indexes to declare through HTTP before the run, each a list of pointers; none here. */
    protected List<List<String>> indexes() {
        return List.of();
    }

    /** Declares {@link #indexes} through HTTP (dropping an earlier test's first) and waits until each is ready. */
    private void declareIndexes() throws InterruptedException {
        int i = 0;
        for (List<String> paths : indexes()) {
            String id = "model-" + i++;
            http.send("DELETE", "/api/indexes/" + id, (byte[]) null); // 404 when there is none
            StringBuilder body = new StringBuilder("{\"paths\":[");
            for (String path : paths) {
                body.append(body.charAt(body.length() - 1) == '[' ? "" : ",").append(json(path));
            }
            Res res = http.send("PUT", "/api/indexes/" + id, body + "]}", "Content-Type", TestClient.JSON);
            assertThat(res.describe(), res.status() / 100, is(2));
            Eventually.await(
                    "index " + id + " ready",
                    () -> http.get("/api/indexes/" + id)
                            .json()
                            .asJsonObject()
                            .getString("state")
                            .equals("ready"));
        }
    }

    private static long seed() {
        return Long.getLong("query.model.seed", new Random().nextLong());
    }

    @Test
    void everyPageFollowedEqualsTheModelWhileOthersWrite() throws Exception {
        long seed = seed();
        try {
            run(seed, Integer.getInteger("query.model.queries", 30), true);
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError("QueryModelTest seed " + seed + " (replay: -Dquery.model.seed=" + seed + ")", e);
        }
    }

    @Test
    void appsRewrittenWithTheirSameValueBetweenPagesAreSeenExactlyOnce() throws Exception {
        long seed = seed();
        try {
            run(seed, Integer.getInteger("query.model.queries", 15), false);
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError("QueryModelTest seed " + seed + " (replay: -Dquery.model.seed=" + seed + ")", e);
        }
    }

    /**
     * {@code queries} random queries over a few hundred random apps; with {@code writers}, other clients write
     * outside the prefix throughout. Between pages the last app of the page, the next one expected and a random
     * one are put again with their same value.
     */
    private void run(long seed, int queries, boolean writers) throws Exception {
        Random random = new Random(seed);
        declareIndexes();
        Map<String, Object> apps = new TreeMap<>(QueryModelTest::compareCodePoints);
        Map<String, String> texts = new HashMap<>();
        while (apps.size() < 200) {
            String name = PREFIX + name(random);
            Object data = data(random);
            apps.put(name, data);
            texts.put(name, json(data));
        }
        try (ExecutorService puts = Executors.newFixedThreadPool(4)) { // a few at once: etcd's round trips add up
            List<Future<Res>> done = new ArrayList<>();
            texts.forEach((name, text) -> done.add(puts.submit(() -> http.put(name, "{\"data\":" + text + "}"))));
            for (Future<Res> put : done) {
                assertStatus(put.get(), 204);
            }
        }
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong written = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        if (writers) {
            for (int w = 0; w < 2; w++) {
                Random mine = new Random(seed + 1 + w);
                threads.add(Thread.ofPlatform().start(() -> {
                    while (!stop.get()) {
                        String name = OUTSIDE.get(mine.nextInt(OUTSIDE.size()));
                        Res res = mine.nextInt(4) == 0
                                ? http.delete(name)
                                : http.put(name, "{\"data\":" + json(data(mine)) + "}");
                        if (res.status() / 100 == 2 || res.status() == 404) {
                            written.incrementAndGet();
                        }
                    }
                }));
            }
        }
        long rewrites = 0;
        int[] sizes = new int[4]; // queries that matched nothing, some, every app; pages an index served
        long started = System.nanoTime();
        try {
            for (int q = 0; q < queries; q++) {
                int before = sizes[0] + sizes[1] + sizes[2];
                rewrites += query(random, apps, texts, q, sizes, !writers);
                assertThat(sizes[0] + sizes[1] + sizes[2], is(before + 1));
            }
            System.out.printf(
                    "seed %d: %d queries in %d ms (matching none %d, some %d, all %d; %d pages through an index), "
                            + "%d same-value rewrites, %d writes outside%n",
                    seed,
                    queries,
                    (System.nanoTime() - started) / 1_000_000,
                    sizes[0],
                    sizes[1],
                    sizes[2],
                    sizes[3],
                    rewrites,
                    written.get());
            assertThat("most queries match some apps, not none or all", sizes[1] > queries / 4, is(true));
        } finally {
            stop.set(true);
            for (Thread thread : threads) {
                thread.join();
            }
        }
        assertThat("rewrites between pages happened", rewrites > 0, is(true));
        if (writers) {
            assertThat("the other clients wrote", written.get() > 0, is(true));
        }
    }

    /** One random query, every page followed (limit 1..3 with {@code smallPages}); the same-value rewrites it made. */
    private int query(
            Random random,
            Map<String, Object> apps,
            Map<String, String> texts,
            int q,
            int[] sizes,
            boolean smallPages) {
        Sel where;
        List<String> expected = new ArrayList<>();
        // A selector that matches nothing or everything tells little: most of them are drawn again.
        for (int attempt = 0; ; attempt++) {
            do {
                where = selector(random, 2);
            } while (where.json().length() > 4000);
            expected.clear();
            for (Map.Entry<String, Object> app : apps.entrySet()) {
                if (where.test().test(app.getValue())) {
                    expected.add(app.getKey());
                }
            }
            boolean telling = !expected.isEmpty() && expected.size() < apps.size();
            if (telling || attempt == 8 || random.nextInt(10) == 0) {
                break;
            }
        }
        List<String> order = new ArrayList<>();
        List<String> pointers = new ArrayList<>(POINTERS);
        for (int i = random.nextInt(4); i > 0; i--) {
            String pointer = pointers.remove(random.nextInt(pointers.size()));
            order.add((random.nextBoolean() ? "-" : "") + pointer);
        }
        expected.sort(order(order, apps));
        sizes[expected.isEmpty() ? 0 : expected.size() == apps.size() ? 2 : 1]++;
        int limit = List.of(1, 2, 3, 5, 8, 20, 100).get(random.nextInt(smallPages ? 3 : 7));
        limit = Math.max(limit, (expected.size() + 14) / 15); // at most 15 pages or so
        boolean counted = random.nextInt(3) > 0; // a count with a prefix scans: without one an index may serve
        String what = "query " + q + ": where=" + where.json() + " order=" + order + " limit=" + limit
                + (counted ? " count=exact" : "");

        StringBuilder get = new StringBuilder("/api/apps?prefix=" + encode(PREFIX) + "&limit=" + limit);
        if (counted) {
            get.append("&count=exact");
        }
        get.append("&where=").append(encode(where.json()));
        if (!order.isEmpty()) {
            get.append("&order=").append(encode(String.join(",", order)));
        }
        List<String> seen = new ArrayList<>();
        int rewrites = 0;
        String cursor = null;
        String link = get.toString();
        for (int page = 0; link != null; page++) {
            Res res;
            if (page % 2 == 0) {
                res = http.get(link);
            } else {
                StringBuilder body = new StringBuilder("{\"prefix\":" + json(PREFIX));
                body.append(counted ? ",\"count\":\"exact\"" : "");
                body.append(",\"limit\":").append(limit).append(",\"where\":").append(where.json());
                body.append(",\"order\":[");
                for (int i = 0; i < order.size(); i++) {
                    body.append(i == 0 ? "" : ",").append(json(order.get(i)));
                }
                body.append(']');
                if (cursor != null) {
                    body.append(",\"cursor\":").append(json(cursor));
                }
                res = http.send("POST", "/api/query", body + "}", "Content-Type", TestClient.JSON);
            }
            assertThat(what + "\n" + res.describe(), res.status(), is(200));
            assertThat(
                    what + " page " + page,
                    res.header("X-Total-Count"),
                    is(counted ? Integer.toString(expected.size()) : null));
            if (res.header("Query-Plan").startsWith("index=")) {
                sizes[3]++;
            }
            List<String> names = new ArrayList<>();
            for (JsonValue item : res.json().asJsonArray()) {
                names.add(item.asJsonObject().getString("name"));
            }
            assertThat(what + " page " + page + " size", names.size() <= limit, is(true));
            seen.addAll(names);
            link = next(res);
            cursor = link == null ? null : cursorOf(link);
            if (link != null && !names.isEmpty()) { // the same value again: a new version, the same place
                Set<String> again = new LinkedHashSet<>();
                again.add(names.getLast());
                if (seen.size() < expected.size()) {
                    again.add(expected.get(seen.size()));
                }
                if (random.nextInt(3) == 0) {
                    again.add(expected.get(random.nextInt(expected.size())));
                }
                for (String name : again) {
                    assertStatus(http.put(name, "{\"data\":" + texts.get(name) + "}"), 204);
                    rewrites++;
                }
            }
            assertThat(what + ": more pages than matches", page <= expected.size() + 1, is(true));
        }
        if (!seen.equals(expected)) {
            int at = 0;
            while (at < Math.min(seen.size(), expected.size()) && seen.get(at).equals(expected.get(at))) {
                at++;
            }
            List<String> extra = new ArrayList<>(seen);
            extra.removeAll(expected);
            List<String> missing = new ArrayList<>(expected);
            missing.removeAll(seen);
            throw new AssertionError(what + "\n" + seen.size() + " rows seen, " + expected.size() + " expected; first "
                    + "difference at " + at + ": seen " + seen.subList(at, Math.min(at + 3, seen.size()))
                    + ", expected " + expected.subList(at, Math.min(at + 3, expected.size())) + "; not matching: "
                    + extra + "; missed: " + missing
                    + (extra.isEmpty() && missing.isEmpty() ? " (repeated or out of order)" : "")
                    + "\nthe first of them: " + (at < expected.size() ? texts.get(expected.get(at)) : "-"));
        }
        return rewrites;
    }

    private static String cursorOf(String link) {
        String value = link.replaceAll(".*[?&]cursor=([^&]*).*", "$1");
        return URLDecoder.decode(value, StandardCharsets.UTF_8);
    }

    // --- the data ---------------------------------------------------------------------------------------------

    private static String name(Random random) {
        List<String> parts = List.of("a", "b", "z", "0", "/", "\u00e9", "\uFFFF", EMOJI, "x.y");
        StringBuilder name = new StringBuilder();
        for (int i = 1 + random.nextInt(4); i > 0; i--) {
            name.append(parts.get(random.nextInt(parts.size())));
        }
        return name.append(random.nextInt(1000)).toString();
    }

    /** An app's data: an object with some of {@link #MEMBERS}, in a random order, each of mixed types. */
    private static Object data(Random random) {
        List<String> members = new ArrayList<>(MEMBERS);
        java.util.Collections.shuffle(members, random);
        Map<String, Object> data = new LinkedHashMap<>();
        for (String member : members) {
            if (random.nextInt(4) == 0) {
                continue; // missing
            }
            data.put(
                    member,
                    switch (member) {
                        case "arr" -> random.nextInt(4) == 0 ? value(random) : array(random);
                        case "o" -> random.nextInt(4) == 0 ? value(random) : object(random);
                        default -> value(random);
                    });
        }
        return data;
    }

    private static Object value(Random random) {
        return switch (random.nextInt(10)) {
            case 0, 1, 2 -> new Num(NUMBERS.get(random.nextInt(NUMBERS.size())));
            case 3, 4, 5 -> STRINGS.get(random.nextInt(STRINGS.size()));
            case 6 -> random.nextBoolean();
            case 7 -> NULL;
            case 8 -> array(random);
            default -> object(random);
        };
    }

    private static Object scalar(Random random) {
        return switch (random.nextInt(4)) {
            case 0 -> new Num(NUMBERS.get(random.nextInt(NUMBERS.size())));
            case 1 -> STRINGS.get(random.nextInt(STRINGS.size()));
            case 2 -> random.nextBoolean();
            default -> random.nextBoolean() ? NULL : new Num(NUMBERS.get(random.nextInt(3)));
        };
    }

    private static List<Object> array(Random random) {
        List<Object> array = new ArrayList<>();
        for (int i = random.nextInt(4); i > 0; i--) {
            array.add(
                    random.nextInt(6) == 0
                            ? (random.nextBoolean() ? new ArrayList<>() : object(random))
                            : scalar(random));
        }
        return array;
    }

    /** Members k and j (each maybe missing), in either order: member order must not matter. */
    private static Map<String, Object> object(Random random) {
        Map<String, Object> object = new LinkedHashMap<>();
        List<String> names = random.nextBoolean() ? List.of("k", "j") : List.of("j", "k");
        for (String name : names) {
            if (random.nextInt(3) > 0) {
                object.put(name, scalar(random));
            }
        }
        return object;
    }

    // --- the selectors ----------------------------------------------------------------------------------------

    /** A selector about a value: one to three distinct keys, pointers or operators, all of which must hold. */
    private static Sel selector(Random random, int depth) {
        Map<String, Sel> keys = new LinkedHashMap<>();
        for (int i = random.nextInt(10) < 7 ? 1 : random.nextInt(4) == 0 ? 3 : 2; i > 0; i--) {
            if (random.nextInt(4) > 0) {
                String pointer = POINTERS.get(random.nextInt(POINTERS.size()));
                Sel operand = operand(random, depth);
                keys.putIfAbsent(
                        pointer, new Sel(operand.json(), x -> operand.test().test(at(x, pointer))));
            } else {
                String op = pick(random, depth);
                keys.putIfAbsent(op, operator(random, op, depth));
            }
        }
        return all(keys);
    }

    private static Sel all(Map<String, Sel> keys) {
        StringBuilder json = new StringBuilder("{");
        List<Predicate<Object>> tests = new ArrayList<>();
        keys.forEach((key, sel) -> {
            json.append(json.length() > 1 ? "," : "")
                    .append(json(key))
                    .append(':')
                    .append(sel.json());
            tests.add(sel.test());
        });
        return new Sel(json.append('}').toString(), x -> tests.stream().allMatch(t -> t.test(x)));
    }

    /** What a pointer key's value is: a plain value (equality) or an object of one or two operators. */
    private static Sel operand(Random random, int depth) {
        if (random.nextInt(3) == 0) {
            Object v = value(random);
            return new Sel(json(v), x -> x != MISSING && equal(x, v));
        }
        Map<String, Sel> ops = new LinkedHashMap<>();
        for (int i = random.nextInt(4) == 0 ? 2 : 1; i > 0; i--) {
            String op = pick(random, depth);
            ops.putIfAbsent(op, operator(random, op, depth));
        }
        return all(ops);
    }

    private static final List<String> OPERATORS = List.of( // those that take selectors last
            "$eq",
            "$ne",
            "$gt",
            "$gte",
            "$lt",
            "$lte",
            "$in",
            "$nin",
            "$exists",
            "$type",
            "$prefix",
            "$contains",
            "$all",
            "$size",
            "$elemMatch",
            "$and",
            "$or",
            "$not");

    /** An operator; one that takes selectors only while {@code depth} allows them. */
    private static String pick(Random random, int depth) {
        int n = depth > 0 ? OPERATORS.size() : OPERATORS.indexOf("$elemMatch");
        return OPERATORS.get(random.nextInt(n));
    }

    /** One operator's operand (the JSON after the operator's key), as the table of docs/API.md says it matches the value x. */
    private static Sel operator(Random random, String op, int depth) {
        switch (op) {
            case "$and", "$or" -> {
                List<Sel> sels = new ArrayList<>();
                for (int i = 1 + random.nextInt(3); i > 0; i--) {
                    sels.add(selector(random, depth - 1));
                }
                String json =
                        "[" + String.join(",", sels.stream().map(Sel::json).toList()) + "]";
                boolean and = op.equals("$and");
                return new Sel(
                        json,
                        x -> and
                                ? sels.stream().allMatch(s -> s.test().test(x))
                                : sels.stream().anyMatch(s -> s.test().test(x)));
            }
            case "$not" -> {
                Sel sel = selector(random, depth - 1);
                return new Sel(sel.json(), x -> !sel.test().test(x));
            }
            case "$elemMatch" -> {
                Sel sel = selector(random, depth - 1);
                return new Sel(
                        sel.json(),
                        x -> x instanceof List<?> l
                                && l.stream().anyMatch(e -> sel.test().test(e)));
            }
            default -> {
                return leaf(random, op);
            }
        }
    }

    private static Sel leaf(Random random, String op) {
        switch (op) {
            case "$eq", "$ne" -> {
                Object v = value(random);
                boolean eq = op.equals("$eq");
                return new Sel(json(v), x -> eq == (x != MISSING && equal(x, v)));
            }
            case "$gt", "$gte", "$lt", "$lte" -> {
                Object v = random.nextInt(5) == 0 ? value(random) : scalar(random);
                return new Sel(json(v), x -> {
                    if (x == MISSING || rank(x) != rank(v)) {
                        return false;
                    }
                    int c = compare(x, v);
                    return switch (op) {
                        case "$gt" -> c > 0;
                        case "$gte" -> c >= 0;
                        case "$lt" -> c < 0;
                        default -> c <= 0;
                    };
                });
            }
            case "$in", "$nin" -> {
                List<Object> vs = new ArrayList<>();
                for (int i = random.nextInt(4); i > 0; i--) {
                    vs.add(value(random));
                }
                boolean in = op.equals("$in");
                return new Sel(json(vs), x -> in == (x != MISSING && vs.stream().anyMatch(v -> equal(x, v))));
            }
            case "$exists" -> {
                boolean b = random.nextBoolean();
                return new Sel("" + b, x -> (x != MISSING) == b);
            }
            case "$type" -> {
                String t = TYPES.get(random.nextInt(TYPES.size()));
                return new Sel(
                        json(t), x -> x != MISSING && TYPES.get(rank(x) - 1).equals(t));
            }
            case "$prefix" -> {
                String p = random.nextBoolean()
                        ? STRINGS.get(random.nextInt(STRINGS.size()))
                        : List.of("e", "0", "a").get(random.nextInt(3));
                return new Sel(json(p), x -> x instanceof String s && s.startsWith(p));
            }
            case "$contains" -> {
                Object v = random.nextBoolean() ? scalar(random) : value(random);
                return new Sel(
                        json(v), x -> x instanceof List<?> l && l.stream().anyMatch(e -> equal(e, v)));
            }
            case "$all" -> {
                List<Object> vs = new ArrayList<>();
                for (int i = 1 + random.nextInt(2); i > 0; i--) {
                    vs.add(scalar(random));
                }
                return new Sel(
                        json(vs),
                        x -> x instanceof List<?> l
                                && vs.stream().allMatch(v -> l.stream().anyMatch(e -> equal(e, v))));
            }
            case "$size" -> {
                int n = random.nextInt(4);
                String literal = List.of(n + "", n + ".0", n + "e0").get(random.nextInt(3));
                return new Sel(literal, x -> x instanceof List<?> l && l.size() == n);
            }
            default -> throw new IllegalArgumentException(op);
        }
    }

    // --- the contract -----------------------------------------------------------------------------------------

    /** The value at a JSON Pointer (RFC 6901): missing through anything but objects and arrays. */
    private static Object at(Object x, String pointer) {
        Object v = x;
        for (String raw : pointer.substring(1).split("/", -1)) {
            String token = raw.replace("~1", "/").replace("~0", "~");
            if (v instanceof Map<?, ?> m) {
                v = m.containsKey(token) ? m.get(token) : MISSING;
            } else if (v instanceof List<?> l
                    && token.matches("0|[1-9][0-9]{0,8}")
                    && Integer.parseInt(token) < l.size()) {
                v = l.get(Integer.parseInt(token));
            } else {
                return MISSING;
            }
        }
        return v;
    }

    /** missing < null < booleans < numbers < strings < arrays < objects; 1-based for {@link #TYPES}. */
    private static int rank(Object v) {
        if (v == MISSING) {
            return 0;
        }
        if (v == NULL) {
            return 1;
        }
        if (v instanceof Boolean) {
            return 2;
        }
        if (v instanceof Num) {
            return 3;
        }
        if (v instanceof String) {
            return 4;
        }
        return v instanceof List ? 5 : 6;
    }

    private static boolean equal(Object a, Object b) {
        return a != MISSING && b != MISSING && compare(a, b) == 0;
    }

    /** The one total order; arrays element by element then shorter first; objects by sorted names, then values. */
    private static int compare(Object a, Object b) {
        int ra = rank(a);
        int rb = rank(b);
        if (ra != rb) {
            return Integer.compare(ra, rb);
        }
        switch (a) {
            case Boolean x -> {
                return Boolean.compare(x, (Boolean) b);
            }
            case Num x -> {
                return x.value().compareTo(((Num) b).value());
            }
            case String x -> {
                return compareCodePoints(x, (String) b);
            }
            case List<?> x -> {
                List<?> y = (List<?>) b;
                for (int i = 0; i < Math.min(x.size(), y.size()); i++) {
                    int c = compare(x.get(i), y.get(i));
                    if (c != 0) {
                        return c;
                    }
                }
                return Integer.compare(x.size(), y.size());
            }
            case Map<?, ?> x -> {
                Map<?, ?> y = (Map<?, ?>) b;
                List<String> xs = sortedNames(x);
                List<String> ys = sortedNames(y);
                for (int i = 0; i < Math.min(xs.size(), ys.size()); i++) {
                    int c = compareCodePoints(xs.get(i), ys.get(i));
                    if (c != 0) {
                        return c;
                    }
                }
                if (xs.size() != ys.size()) {
                    return Integer.compare(xs.size(), ys.size());
                }
                for (String name : xs) {
                    int c = compare(x.get(name), y.get(name));
                    if (c != 0) {
                        return c;
                    }
                }
                return 0;
            }
            default -> {
                return 0; // null, or missing
            }
        }
    }

    private static List<String> sortedNames(Map<?, ?> m) {
        List<String> names = new ArrayList<>();
        m.keySet().forEach(k -> names.add((String) k));
        names.sort(QueryModelTest::compareCodePoints);
        return names;
    }

    private static int compareCodePoints(String a, String b) {
        return TestClient.compareCodePoints(a, b);
    }

    /** By each pointer of {@code order} (descending reverses all of it, missing last), then by name ascending. */
    private static Comparator<String> order(List<String> order, Map<String, Object> apps) {
        Comparator<String> byKey = (x, y) -> 0;
        for (String part : order) {
            boolean descending = part.startsWith("-");
            String pointer = descending ? part.substring(1) : part;
            Comparator<String> one = (x, y) -> compare(at(apps.get(x), pointer), at(apps.get(y), pointer));
            byKey = byKey.thenComparing(descending ? one.reversed() : one);
        }
        return byKey.thenComparing(QueryModelTest::compareCodePoints);
    }

    // --- JSON text --------------------------------------------------------------------------------------------

    private static String json(Object v) {
        if (v == NULL) {
            return "null";
        }
        if (v instanceof String s) {
            StringBuilder out = new StringBuilder("\"");
            for (char c : s.toCharArray()) {
                switch (c) {
                    case '"' -> out.append("\\\"");
                    case '\\' -> out.append("\\\\");
                    default -> out.append(c);
                }
            }
            return out.append('"').toString();
        }
        if (v instanceof List<?> l) {
            List<String> parts = new ArrayList<>();
            l.forEach(e -> parts.add(json(e)));
            return "[" + String.join(",", parts) + "]";
        }
        if (v instanceof Map<?, ?> m) {
            List<String> parts = new ArrayList<>();
            m.forEach((k, e) -> parts.add(json(k) + ":" + json(e)));
            return "{" + String.join(",", parts) + "}";
        }
        return v.toString(); // Num as written, Boolean
    }
}
