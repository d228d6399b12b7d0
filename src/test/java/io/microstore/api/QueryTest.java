package io.microstore.api;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

import io.microstore.testing.ServerTestBase;
import io.microstore.testing.TestClient.Res;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.Test;

import static io.microstore.testing.TestClient.assertProblem;
import static io.microstore.testing.TestClient.assertStatus;
import static io.microstore.testing.TestClient.encode;
import static io.microstore.testing.TestClient.next;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

/**
 * Queries over HTTP: where, order, count=exact, cursors and the scan budget (small here, {@link #BUDGET}, so
 * that each test's apps, under a prefix of its own, can be more than it).
 */
class QueryTest extends ServerTestBase {
    private static final int BUDGET = 40;

    @Override
    protected Map<String, String> settings() {
        return Map.of("store.query.scan-budget", Integer.toString(BUDGET));
    }

    private void put(String name, String data) {
        assertStatus(http.putApp(name, data), 204);
    }

    /** Follows every next link from {@code path}; the names of every page, in order. */
    private List<String> all(String path) {
        List<String> names = new ArrayList<>();
        for (String at = path; at != null; ) {
            Res res = http.get(at);
            assertStatus(res, 200);
            for (JsonValue item : res.json().asJsonArray()) {
                names.add(item.asJsonObject().getString("name"));
            }
            at = next(res);
        }
        return names;
    }

    @Test
    void whereOrderAndCountPageThroughEveryMatchInOrder() {
        put("w/a", "{\"s\":\"open\",\"p\":\"2\"}");
        put("w/b", "{\"s\":\"closed\",\"p\":\"9\"}");
        put("w/c", "{\"s\":\"open\",\"p\":\"3\"}");
        put("w/d", "{\"s\":\"open\",\"p\":\"1\"}");
        put("w/e", "{\"s\":\"open\"}");
        String query = "/api/apps?prefix=w/&where=" + encode("{\"/s\":\"open\"}") + "&order=-/p&count=exact&limit=2";
        Res first = http.get(query);
        assertStatus(first, 200);
        assertThat(first.header("X-Total-Count"), is("4"));
        assertThat(first.header("Query-Seq"), first.header("Query-Seq").matches("[0-9]+"), is(true));
        assertThat(first.header("Query-Plan"), is("scan; examined=5; returned=2"));
        assertThat(next(first), containsString("cursor="));
        assertThat(all(query), is(List.of("w/c", "w/a", "w/d", "w/e"))); // descending: a missing member last
    }

    @Test
    void limitZeroWithCountIsACountAlone() {
        put("z/a", "{\"s\":\"x\"}");
        put("z/b", "{\"s\":\"y\"}");
        Res res = http.get("/api/apps?prefix=z/&limit=0&count=exact&where=" + encode("{\"/s\":\"x\"}"));
        assertStatus(res, 200);
        assertThat(res.text(), is("[]"));
        assertThat(res.header("X-Total-Count"), is("1"));
        assertThat(res.header("Link"), nullValue());
    }

    @Test
    void badQueriesAre400() {
        put("bad/a", "{\"s\":\"x\"}");
        String where = "&where=" + encode("{\"/s\":\"x\"}");
        List<String> bad = List.of(
                "count=yes",
                "where=" + encode("[1]"),
                "where=" + encode("{\"/s\":\"" + "x".repeat(8200) + "\"}"),
                "order=s",
                "order=" + encode("/s,"),
                "order=/s&after=a",
                "after=a&cursor=abc" + where,
                "cursor=%21%21" + where,
                "limit=0" + where,
                "limit=10001" + where,
                "where=1&where=2");
        for (String q : bad) {
            assertProblem(http.get("/api/apps?prefix=bad/&" + q), 400);
        }
    }

    @Test
    void aCursorReplayedWithAnotherWhereOrOrderIs400() {
        for (int i = 0; i < 4; i++) {
            put("cur/" + i, "{\"s\":\"x\",\"k\":\"" + i + "\"}");
        }
        Res res = http.get("/api/apps?prefix=cur/&limit=1&order=/k&where=" + encode("{\"/s\":\"x\"}"));
        String cursor = next(res).replaceAll(".*cursor=", "");
        assertStatus(
                http.get("/api/apps?prefix=cur/&limit=1&order=/k&where=" + encode("{\"/s\":\"x\"}") + "&cursor="
                        + cursor),
                200);
        assertProblem(
                http.get("/api/apps?prefix=cur/&limit=1&order=/k&where=" + encode("{\"/s\":\"y\"}") + "&cursor="
                        + cursor),
                400);
        assertProblem(
                http.get("/api/apps?prefix=cur/&limit=1&order=-/k&where=" + encode("{\"/s\":\"x\"}") + "&cursor="
                        + cursor),
                400);
    }

    @Test
    void aScanCutByTheBudgetAnswersWhatItHasAndResumes() {
        for (int i = 0; i < BUDGET * 2 + 5; i++) {
            put(String.format("cut/%03d", i), i % 10 == 0 ? "{\"s\":\"hit\"}" : "{\"s\":\"miss\"}");
        }
        String query = "/api/apps?prefix=cut/&limit=50&where=" + encode("{\"/s\":\"hit\"}");
        Res first = http.get(query);
        assertStatus(first, 200);
        assertThat(first.json().asJsonArray().size(), is(4)); // 000, 010, 020, 030 within the first 40
        assertThat(first.header("Query-Plan"), is("scan; examined=" + BUDGET + "; returned=4"));
        assertThat(next(first), notNullValue());
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < BUDGET * 2 + 5; i += 10) {
            expected.add(String.format("cut/%03d", i));
        }
        assertThat(all(query), is(expected));
        for (String beyond : List.of("&order=/s", "&count=exact")) {
            Res refused = http.get(query + beyond);
            assertStatus(refused, 422);
            assertThat(refused.header("Content-Type"), is("application/problem+json"));
            JsonObject problem = refused.json().asJsonObject();
            assertThat(problem.getString("type"), is("index-required"));
            assertThat(problem.getString("title"), is("index-required"));
            assertThat(problem.getString("request"), containsString("PUT /api/indexes/"));
        }
    }

    @Test
    void pagingWhileOthersWriteSkipsNoUnchangedAppAndRepeatsNone() {
        Random random = new Random(7);
        Set<String> unchanged = new HashSet<>();
        for (int i = 0; i < 30; i++) {
            put("pw/" + i, "{\"k\":\"" + random.nextInt(10) + "\"}");
            unchanged.add("pw/" + i);
        }
        List<String> seen = new ArrayList<>();
        String at = "/api/apps?prefix=pw/&limit=3&order=/k";
        for (int page = 0; at != null; page++) {
            Res res = http.get(at);
            assertStatus(res, 200);
            for (JsonValue item : res.json().asJsonArray()) {
                seen.add(item.asJsonObject().getString("name"));
            }
            at = next(res);
            // Between pages: a new app, an app moved to another key, an app deleted.
            put("pw/new" + page, "{\"k\":\"" + random.nextInt(10) + "\"}");
            String moved = "pw/" + random.nextInt(30);
            put(moved, "{\"k\":\"" + random.nextInt(10) + "\"}");
            unchanged.remove(moved);
            String deleted = "pw/" + random.nextInt(30);
            http.delete(deleted);
            unchanged.remove(deleted);
        }
        for (String name : unchanged) {
            assertThat(name, seen.stream().filter(name::equals).count(), is(1L));
        }
    }

    @Test
    void postQueryAnswersExactlyAsTheGet() {
        for (int i = 0; i < 5; i++) {
            put("post/" + i, "{\"s\":\"" + (i % 2 == 0 ? "even" : "odd") + "\",\"k\":\"" + (9 - i) + "\"}");
        }
        String where = "{\"/s\":\"even\"}";
        Res get = http.get("/api/apps?prefix=post/&order=/k&count=exact&limit=2&include=data&where=" + encode(where));
        Res post = http.send(
                "POST",
                "/api/query",
                "{\"prefix\":\"post/\",\"where\":" + where
                        + ",\"order\":[\"/k\"],\"count\":\"exact\",\"limit\":2,\"include\":\"data\"}",
                "Content-Type",
                "application/json");
        assertStatus(post, 200);
        assertThat(post.text(), is(get.text()));
        assertThat(post.header("X-Total-Count"), is("3"));
        assertThat(post.header("Link"), is(get.header("Link")));
        assertThat(all(next(post)), is(List.of("post/0")));
        String cursor = next(post).replaceAll(".*cursor=", "");
        Res again = http.send(
                "POST",
                "/api/query",
                "{\"prefix\":\"post/\",\"where\":" + where + ",\"order\":[\"/k\"],\"limit\":2,\"cursor\":\""
                        + java.net.URLDecoder.decode(cursor, java.nio.charset.StandardCharsets.UTF_8) + "\"}",
                "Content-Type",
                "application/json");
        assertThat(again.text(), is("[{\"name\":\"post/0\"}]"));
    }

    @Test
    void aPostedQueryWithAnUnknownOrMistypedMemberIs400() {
        for (String body : List.of(
                "{\"wher\":{}}",
                "{\"where\":[1]}",
                "{\"order\":5}",
                "{\"order\":\"/k\"}",
                "{\"order\":[1]}",
                "{\"count\":true}",
                "{\"limit\":0}",
                "{\"limit\":\"5\"}",
                "{\"include\":\"all\"}",
                "{\"consistent\":1}",
                "[1]",
                "{")) {
            assertProblem(http.send("POST", "/api/query", body, "Content-Type", "application/json"), 400);
        }
    }

    /** Random apps, selectors, orders and limits: every page followed equals a plain in-test evaluation. */
    @Test
    void everyPageFollowedEqualsTheModel() {
        Random random = new Random(23);
        for (int round = 0; round < 12; round++) {
            String prefix = "m" + round + "/";
            Map<String, Map<String, String>> apps = new TreeMap<>();
            for (int i = random.nextInt(BUDGET); i > 0; i--) {
                Map<String, String> data = new TreeMap<>();
                for (String member : List.of("a", "b")) {
                    if (random.nextInt(4) > 0) {
                        data.put(member, Integer.toString(random.nextInt(3)));
                    }
                }
                String name = prefix + random.nextInt(100);
                StringBuilder json = new StringBuilder("{");
                data.forEach((k, v) -> json.append(json.length() > 1 ? "," : "")
                        .append('"')
                        .append(k)
                        .append("\":\"")
                        .append(v)
                        .append('"'));
                put(name, json.append('}').toString());
                apps.put(name, data);
            }
            String member = random.nextBoolean() ? "a" : "b";
            String value = Integer.toString(random.nextInt(3));
            boolean filter = random.nextBoolean();
            String order = List.of("", "/a", "-/b", "/a,-/b").get(random.nextInt(4));
            int limit = 1 + random.nextInt(7);
            List<String> expected = new ArrayList<>();
            apps.forEach((name, data) -> {
                if (!filter || value.equals(data.get(member))) {
                    expected.add(name);
                }
            });
            expected.sort(model(order, apps));
            String query = "/api/apps?prefix=" + prefix + "&count=exact&limit=" + limit
                    + (filter ? "&where=" + encode("{\"/" + member + "\":\"" + value + "\"}") : "")
                    + (order.isEmpty() ? "" : "&order=" + encode(order));
            Res first = http.get(query);
            assertStatus(first, 200);
            assertThat(query, first.header("X-Total-Count"), is(Integer.toString(expected.size())));
            assertThat(query, all(query), is(expected));
        }
    }

    /** The stand-in order's rules: string values, a missing member first, then by name. */
    private static Comparator<String> model(String order, Map<String, Map<String, String>> apps) {
        Comparator<String> byKey = (x, y) -> 0;
        if (!order.isEmpty()) {
            for (String part : order.split(",")) {
                boolean descending = part.startsWith("-");
                String member = part.substring(descending ? 2 : 1);
                Comparator<String> one = Comparator.comparing(
                        n -> apps.get(n).get(member), Comparator.nullsFirst(Comparator.<String>naturalOrder()));
                byKey = byKey.thenComparing(descending ? one.reversed() : one);
            }
        }
        return byKey.thenComparing(Comparator.naturalOrder());
    }
}
