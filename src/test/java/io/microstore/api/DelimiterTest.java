package io.microstore.api;

import java.util.ArrayList;
import java.util.List;

import io.microstore.testing.ServerTestBase;
import io.microstore.testing.TestClient;
import io.microstore.testing.TestClient.Res;
import io.microstore.testing.TestServer;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.Test;

import static io.microstore.testing.TestClient.assertProblem;
import static io.microstore.testing.TestClient.assertStatus;
import static io.microstore.testing.TestClient.encode;
import static io.microstore.testing.TestClient.next;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

/**
 * Listings rolled up at a delimiter ({@code prefix=team/&delimiter=/}, as S3's ListObjectsV2): apps directly under
 * the prefix as {@code {"name"}}, one {@code {"prefix"}} per deeper level, in code point order, paged, filtered,
 * counted and bounded by the scan budget. An item is written here as its name, or {@code P:} and its prefix.
 */
class DelimiterTest extends ServerTestBase {
    private static final String EMOJI = "\uD83D\uDE00"; // U+1F600, above U+FFFF: after U+FFFF in code point order
    private static final String LAST = "\uDBFF\uDFFF"; // U+10FFFF, the last code point

    private void put(String name, String data) {
        assertStatus(http.put(name, "{\"data\":" + data + "}"), 204);
    }

    private void putAll(String... names) {
        for (String name : names) {
            put(name, "{}");
        }
    }

    private static List<String> items(Res res) {
        assertStatus(res, 200);
        List<String> items = new ArrayList<>();
        for (JsonValue item : res.json().asJsonArray()) {
            JsonObject object = item.asJsonObject();
            items.add(object.containsKey("prefix") ? "P:" + object.getString("prefix") : object.getString("name"));
        }
        return items;
    }

    /** Every page from {@code path} on, through the next links; the items of all of them, in order. */
    private static List<String> all(TestClient client, String path) {
        List<String> items = new ArrayList<>();
        for (String at = path; at != null; ) {
            Res res = client.get(at);
            items.addAll(items(res));
            at = next(res);
        }
        return items;
    }

    private static String examined(Res res) {
        return res.header("Query-Plan").replaceAll(".*examined=([0-9]+).*", "$1");
    }

    /** The names of {@link #rollsUpAtTheNextDelimiterInCodePointOrder}, and what they roll up to under team/. */
    private static final List<String> TEAM = List.of(
            "team", // outside the prefix
            "team/", // the prefix itself: an app directly under it
            "team//x", // an empty segment
            "team/a",
            "team/a/", // a delimiter at the very end
            "team/a/x",
            "team/a/y/z",
            "team/a0", // the first name past every team/a/...: the seek must not skip it
            "team/b/c",
            "team/\u00e9/x",
            "team/\uFFFF/x",
            "team/\uFFFFz",
            "team/" + EMOJI + "/x",
            "team0");

    private static final List<String> TEAM_ROLLED = List.of(
            "team/",
            "P:team//",
            "team/a",
            "P:team/a/",
            "team/a0",
            "P:team/b/",
            "P:team/\u00e9/",
            "P:team/\uFFFF/",
            "team/\uFFFFz",
            "P:team/" + EMOJI + "/");

    @Test
    void rollsUpAtTheNextDelimiterInCodePointOrder() {
        TEAM.forEach(this::putAll);
        Res res = http.get("/api/apps?prefix=team/&delimiter=/");
        assertThat(items(res), is(TEAM_ROLLED));
        assertThat(res.header("Link"), nullValue());
        // Each rolled-up prefix costs one app examined: the walk seeks past the apps under it.
        assertThat(examined(res), is(Integer.toString(TEAM_ROLLED.size())));
        assertThat(
                items(http.get("/api/apps?prefix=team/a/&delimiter=/")),
                is(List.of("team/a/", "team/a/x", "P:team/a/y/")));
        assertThat(items(http.get("/api/apps?prefix=team&delimiter=/")), is(List.of("team", "P:team/", "team0")));
        assertThat(items(http.get("/api/apps?delimiter=/&prefix=")), is(List.of("team", "P:team/", "team0")));
    }

    @Test
    void pagingWithLimitOneGoesThroughEachPrefixOnce() {
        TEAM.forEach(this::putAll);
        for (int i = 0; i < 30; i++) {
            putAll("team/a/many/" + i);
        }
        List<Res> pages = new ArrayList<>();
        List<String> items = new ArrayList<>();
        for (String at = "/api/apps?prefix=team/&delimiter=/&limit=1"; at != null; ) {
            Res res = http.get(at);
            pages.add(res);
            items.addAll(items(res));
            at = next(res);
        }
        assertThat(items, is(TEAM_ROLLED));
        assertThat(pages.size(), is(TEAM_ROLLED.size()));
        for (Res page : pages) { // the item and the next one: never the 30 apps under team/a/
            assertThat(page.header("Query-Plan"), Integer.parseInt(examined(page)) <= 2, is(true));
        }
        // The same through POST /api/query, its next links followed as GETs.
        Res post = http.send(
                "POST",
                "/api/query",
                "{\"prefix\":\"team/\",\"delimiter\":\"/\",\"limit\":3}",
                "Content-Type",
                TestClient.JSON);
        List<String> posted = new ArrayList<>(items(post));
        posted.addAll(all(http, next(post)));
        assertThat(posted, is(TEAM_ROLLED));
    }

    @Test
    void afterAnItemOrAnAppUnderItSkipsTheWholePrefix() {
        TEAM.forEach(this::putAll);
        List<String> afterA = TEAM_ROLLED.subList(TEAM_ROLLED.indexOf("team/a0"), TEAM_ROLLED.size());
        assertThat(items(http.get("/api/apps?prefix=team/&delimiter=/&after=" + encode("team/a/"))), is(afterA));
        assertThat(items(http.get("/api/apps?prefix=team/&delimiter=/&after=" + encode("team/a/x"))), is(afterA));
        assertThat(
                items(http.get("/api/apps?prefix=team/&delimiter=/&after=team/a")),
                is(TEAM_ROLLED.subList(TEAM_ROLLED.indexOf("P:team/a/"), TEAM_ROLLED.size())));
    }

    @Test
    void multiByteDelimitersAndTheLastCodePoint() {
        putAll("m" + EMOJI + "a", "ma" + EMOJI + "b", "ma" + EMOJI + "c" + EMOJI + "d", "ma\uFFFF", "mb");
        assertThat(
                items(http.get("/api/apps?prefix=m&delimiter=" + encode(EMOJI))),
                is(List.of("ma\uFFFF", "P:ma" + EMOJI, "mb", "P:m" + EMOJI))); // U+FFFF before U+1F600
        // The least name past x/a+U+10FFFF is x/b: the seek past that prefix carries over the last code point.
        putAll("x/a" + LAST + "1", "x/a" + LAST + LAST, "x/a" + LAST + "2", "x/b", "x/b" + LAST);
        assertThat(
                items(http.get("/api/apps?prefix=x/&delimiter=" + encode(LAST))),
                is(List.of("P:x/a" + LAST, "x/b", "P:x/b" + LAST)));
        assertThat(
                all(http, "/api/apps?prefix=x/&limit=1&delimiter=" + encode(LAST)),
                is(List.of("P:x/a" + LAST, "x/b", "P:x/b" + LAST)));
        putAll("d/a--b", "d/a-b", "d/a--", "d/c");
        assertThat(items(http.get("/api/apps?prefix=d/&delimiter=--")), is(List.of("P:d/a--", "d/a-b", "d/c")));
    }

    @Test
    void includeDataGivesAppsTheirDataAndPrefixesNone() {
        put("i/a", "{\"v\":1}");
        put("i/b/c", "{\"v\":2}");
        Res res = http.get("/api/apps?prefix=i/&delimiter=/&include=data");
        assertStatus(res, 200);
        assertThat(res.text(), is("[{\"name\":\"i/a\",\"data\":{\"v\":1}},{\"prefix\":\"i/b/\"}]"));
    }

    @Test
    void withWhereAPrefixIsListedWhenAnAppUnderItMatches() {
        put("w/a/a", "{\"s\":\"miss\"}");
        put("w/a/b/c/deep", "{\"s\":\"hit\"}"); // the first match under w/a/, three levels down
        put("w/a/b/x", "{\"s\":\"miss\"}");
        put("w/a/zz", "{\"s\":\"hit\"}"); // never examined: w/a/ is listed by then
        put("w/b/x", "{\"s\":\"miss\"}"); // no match under w/b/: not listed
        put("w/c", "{\"s\":\"hit\"}");
        put("w/d", "{\"s\":\"miss\"}");
        String where = "&where=" + encode("{\"/s\":\"hit\"}");
        Res res = http.get("/api/apps?prefix=w/&delimiter=/&count=exact" + where);
        assertThat(items(res), is(List.of("P:w/a/", "w/c")));
        assertThat(res.header("X-Total-Count"), is("2"));
        assertThat(examined(res), is("5")); // w/a/a, w/a/b/c/deep (then past w/a/), w/b/x, w/c, w/d
        assertThat(all(http, "/api/apps?prefix=w/&delimiter=/&limit=1" + where), is(List.of("P:w/a/", "w/c")));
        Res counted = http.get("/api/apps?prefix=w/&delimiter=/&count=exact&limit=1" + where);
        assertThat(counted.header("X-Total-Count"), is("2"));
        assertThat(all(http, next(counted)), is(List.of("w/c")));
        assertThat(
                http.get("/api/apps?prefix=w/&delimiter=/&count=exact&limit=0" + where)
                        .header("X-Total-Count"),
                is("2"));
    }

    @Test
    void aPageCutByTheBudgetResumesExactly() {
        try (TestServer small = startServer("store.query.scan-budget", "5")) {
            TestClient client = small.http();
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                put(String.format("cut/x/%02d", i), "{\"s\":\"miss\"}");
            }
            put("cut/x/zz", "{\"s\":\"hit\"}"); // the 13th app under cut/x/: found on the third page
            put("cut/y/a", "{\"s\":\"hit\"}");
            put("cut/y/b", "{\"s\":\"hit\"}");
            put("cut/z", "{\"s\":\"hit\"}");
            expected.addAll(List.of("P:cut/x/", "P:cut/y/", "cut/z"));
            String query = "/api/apps?prefix=cut/&delimiter=/&where=" + encode("{\"/s\":\"hit\"}");
            Res first = client.get(query);
            assertThat(items(first), is(List.of()));
            assertThat(first.header("Query-Plan"), is("scan; examined=5; returned=0"));
            assertThat(all(client, query), is(expected));
            assertThat(all(client, query + "&limit=1"), is(expected));
            Res counted = client.get(query + "&count=exact");
            assertStatus(counted, 422);
            assertThat(counted.json().asJsonObject().getString("type"), is("index-required"));
            // A cursor that resumes a cut scan is never counted.
            assertProblem(client.get(next(first) + "&count=exact"), 400);
        }
    }

    @Test
    void badDelimiterListingsAre400() {
        putAll("bad/a/b");
        for (String q : List.of(
                "delimiter=",
                "delimiter",
                "delimiter=/&delimiter=/",
                "delimiter=%01",
                "delimiter=%FF",
                "delimiter=" + "x".repeat(1025),
                "delimiter=/&order=/s",
                "delimiter=/&after=a&cursor=abc",
                "delimiter=/&cursor=%21%21")) {
            assertProblem(http.get("/api/apps?prefix=bad/&" + q), 400);
        }
        // A plain query's cursor is no cursor of a rolled-up listing, nor the other way round.
        putAll("bad/c", "bad/d");
        String plain = next(http.get("/api/apps?prefix=bad/&limit=1&count=exact"));
        assertProblem(http.get(plain + "&delimiter=/"), 400);
        String rolled = next(http.get("/api/apps?prefix=bad/&limit=1&delimiter=/"));
        assertProblem(http.get(rolled.replace("delimiter=%2F&", "")), 400);
        assertProblem(http.get(rolled.replace("delimiter=%2F", "delimiter=-")), 400);
        for (String body : List.of(
                "{\"delimiter\":5}",
                "{\"delimiter\":\"\"}",
                "{\"delimiter\":\"/\",\"order\":[\"/s\"]}",
                "{\"delimiter\":\"\\u0001\"}")) {
            assertProblem(http.send("POST", "/api/query", body, "Content-Type", TestClient.JSON), 400);
        }
    }
}
