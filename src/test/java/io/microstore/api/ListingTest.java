package io.microstore.api;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.microstore.store.Command;
import io.microstore.store.Precondition;
import io.microstore.testing.ServerTestBase;
import io.microstore.testing.Stores;
import io.microstore.testing.TestClient;
import io.microstore.testing.TestClient.Res;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.microstore.testing.TestClient.assertStatus;
import static io.microstore.testing.TestClient.compareCodePoints;
import static io.microstore.testing.TestClient.encode;
import static io.microstore.testing.TestClient.next;
import static io.microstore.testing.TestClient.parse;
import static io.microstore.testing.TestClient.quote;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

/** {@code GET /api/apps} with {@code prefix}, {@code limit}, {@code after}, {@code include=data} and Link paging. */
class ListingTest extends ServerTestBase {
    /** Characters that are awkward in URLs, JSON or sort order (U+FFFD sorts below U+1F600 by code point). */
    private static final List<String> PARTS = List.of(
            "a", "B", "z", " ", "/", "é", "日", "😀", "\uFFFD", "\uE000", "&", "%", "+", "=", "?", "#", "~", "0", ".",
            "\"");

    @Override
    protected Map<String, String> settings() {
        return Map.of("server.max-payload-size", "65536");
    }

    // --- paging while others write -------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(ints = {3, 11, 50})
    void pagingThroughAPrefixWhileOthersWriteSeesEveryLastingNameOnceInOrder(int limit) throws Exception {
        String prefix = "walk/";
        List<String> lasting = new ArrayList<>();
        for (int i = 0; i < PARTS.size(); i++) {
            for (int j = 0; j < PARTS.size(); j += 3) {
                lasting.add(prefix + PARTS.get(i) + PARTS.get(j) + i);
            }
        }
        List<String> doomed = new ArrayList<>();
        for (String part : PARTS) {
            doomed.add(prefix + part + "doomed");
        }
        List<String> outside =
                List.of("walk", "walk0", "walj/x", "walkz/a", "wal", "walk\\x", "Walk/a", "walk\u00e9/a", "walk😀/a");
        // these sort before every other name in the prefix, so once a page is read they are behind the cursor
        List<String> behind = List.of(prefix, prefix + " ", prefix + "  ");
        lasting.forEach(name -> create(name, "{\"data\":" + quote(name) + "}"));
        doomed.forEach(name -> create(name, "{\"data\":0}"));

        AtomicBoolean walking = new AtomicBoolean(true);
        AtomicInteger churned = new AtomicInteger();
        try (ExecutorService others = Executors.newFixedThreadPool(3)) {
            List<Future<?>> background = new ArrayList<>();
            // writers inside and outside the prefix, creating and deleting their own names
            for (int w = 0; w < 2; w++) {
                int writer = w;
                background.add(others.submit(() -> {
                    Random random = new Random(writer);
                    while (walking.get()) {
                        String part = PARTS.get(random.nextInt(PARTS.size()));
                        String name = random.nextBoolean()
                                ? prefix + part + "churn" + writer + random.nextInt(5)
                                : outside.get(random.nextInt(outside.size())) + part + random.nextInt(5);
                        assertStatus(random.nextInt(3) == 0 ? http.delete(name) : http.put(name, "{\"data\":[]}"), 204);
                        churned.incrementAndGet();
                    }
                    return null;
                }));
            }
            // a deleter of names, largest first, so most are gone before the walk reaches them
            background.add(others.submit(() -> {
                for (String name : doomed.stream()
                        .sorted((a, b) -> compareCodePoints(b, a))
                        .toList()) {
                    if (!walking.get()) {
                        break;
                    }
                    assertStatus(http.delete(name), 204); // as fast as it goes: each delete races the walk
                }
                return null;
            }));

            List<String> seen = new ArrayList<>();
            Set<String> insertedAhead = new HashSet<>();
            Set<String> deletedAhead = new HashSet<>();
            walk("/api/apps?prefix=" + encode(prefix) + "&limit=" + limit, limit, (page, more) -> {
                page.forEach(item -> seen.add(item.asJsonObject().getString("name")));
                if (!more) {
                    return;
                }
                // deterministic changes around the cursor between two pages (a few times, so the walk ends)
                create(behind.get(seen.size() % behind.size()), "{\"data\":\"behind\"}");
                if (insertedAhead.size() < 10) {
                    String cursor = seen.getLast();
                    String ahead = cursor + "~ahead";
                    create(ahead, "{\"data\":\"ahead\"}");
                    insertedAhead.add(ahead);
                    String gone = cursor + "~gone";
                    create(gone, "{\"data\":\"gone\"}");
                    assertStatus(http.delete(gone), 204);
                    deletedAhead.add(gone);
                }
            });
            walking.set(false);
            for (Future<?> f : background) {
                f.get();
            }

            for (int i = 1; i < seen.size(); i++) {
                assertThat(
                        "strictly increasing by code point: " + seen.get(i - 1) + " then " + seen.get(i),
                        compareCodePoints(seen.get(i - 1), seen.get(i)),
                        lessThan(0));
            }
            seen.forEach(name -> assertThat(name, startsWith(prefix)));
            Set<String> seenSet = new HashSet<>(seen);
            for (String name : lasting) {
                assertThat("seen once: " + name, seenSet.contains(name), is(true));
            }
            insertedAhead.forEach(name -> assertThat("inserted ahead of the cursor", seenSet.contains(name), is(true)));
            deletedAhead.forEach(name -> assertThat("deleted ahead of the cursor", seenSet.contains(name), is(false)));
            behind.forEach(name -> assertThat("behind the cursor when written", seenSet.contains(name), is(false)));
            assertThat("the others really wrote during the walk", churned.get(), greaterThan(0));
        }
    }

    // --- include=data and the Link header --------------------------------------------------------

    @Test
    void linkHeaderEncodesPrefixAndCursorAndFollowingItVisitsEveryName() {
        String prefix = "a&b %+/é😀=?#";
        List<String> suffixes = List.of(
                "x",
                "x y",
                "x/y",
                "x&y=1",
                "x%41",
                "x%",
                "x+y",
                "é",
                "😀",
                "\uFFFD",
                "#frag",
                "?q",
                "~",
                ";",
                "\\",
                "\"quoted\"",
                " ");
        Map<String, String> expected = new TreeMap<>(TestClient::compareCodePoints);
        for (String suffix : suffixes) {
            String name = prefix + suffix;
            String data = "{\"name\":" + quote(name) + ",\"n\":" + expected.size() + "}";
            create(name, "{\"data\":" + data + "}");
            expected.put(name, data);
        }
        for (String other : List.of("a&b %+/é😀=?", "a&b %+/é😀=?$", "a&b %+/é😀", "a&b", "b")) {
            create(other, "{\"data\":\"outside\"}");
        }
        for (boolean includeData : List.of(false, true)) {
            String first = "/api/apps?prefix=" + encode(prefix) + "&limit=2" + (includeData ? "&include=data" : "");
            Map<String, JsonValue> items = new TreeMap<>(TestClient::compareCodePoints);
            List<String> order = new ArrayList<>();
            walk(
                    first,
                    2,
                    (page, more) -> {
                        for (JsonValue item : page) {
                            JsonObject object = item.asJsonObject();
                            assertThat(object.keySet(), is(includeData ? Set.of("name", "data") : Set.of("name")));
                            order.add(object.getString("name"));
                            items.put(object.getString("name"), object.get("data"));
                        }
                    },
                    (link, lastName) -> {
                        Map<String, String> params = query(link);
                        assertThat(link, params.get("prefix"), is(prefix));
                        assertThat(link, params.get("after"), is(lastName));
                        assertThat(link, params.get("limit"), is("2"));
                        assertThat(link, params.get("include"), is(includeData ? "data" : null));
                    });
            assertThat(order, is(new ArrayList<>(expected.keySet())));
            if (includeData) {
                expected.forEach((name, data) -> assertThat(items.get(name), is(parse(data))));
            }
        }
    }

    @Test
    void cursorNeedNotExistAnyMore() {
        for (String name : List.of("c/1", "c/2", "c/3", "c/4", "c/5")) {
            create(name, "{\"data\":\"" + name + "\"}");
        }
        Res first = http.get("/api/apps?prefix=c/&limit=2");
        assertThat(names(first), is(List.of("c/1", "c/2")));
        assertStatus(http.delete("c/2"), 204);
        assertStatus(http.delete("c/3"), 204);
        Res second = http.get(next(first));
        assertThat(names(second), is(List.of("c/4", "c/5")));
        assertThat("exactly full but nothing follows", second.header("Link"), is(nullValue()));
    }

    @Test
    void theLargestLimitTruncatesTheListWithALink() {
        // written straight to the store: 10001 HTTP requests would only slow the test down
        List<Command> puts = new ArrayList<>();
        for (int i = 0; i <= 10_000; i++) {
            puts.add(new Command.Put(
                    String.format("big/%05d", i), "1".getBytes(StandardCharsets.UTF_8), Precondition.NONE));
        }
        Stores.executeAll(store, puts);
        Res first = http.get("/api/apps?prefix=big/&limit=10000");
        List<String> names = names(first);
        assertThat(names.size(), is(10_000));
        assertThat(names.getLast(), is("big/09999"));
        String link = next(first);
        assertThat(link, notNullValue());
        Res rest = http.get(link);
        assertThat(names(rest), is(List.of("big/10000")));
        assertThat(rest.header("Link"), is(nullValue()));
        assertThat(names(http.get("/api/apps?prefix=big/")).size(), is(10_001));
    }

    // --- helpers ----------------------------------------------------------------------------------

    private interface LinkCheck {
        void check(String link, String lastName);
    }

    private interface PageCheck {
        void check(List<JsonValue> items, boolean more);
    }

    private void walk(String url, int limit, PageCheck onPage) {
        walk(url, limit, onPage, (link, last) -> {});
    }

    /**
     * Follows Link: rel="next" from {@code url} to the end. Every page is a JSON array of at most
     * {@code limit} items; one with a Link is full; the Link is a plain-ASCII URL that continues after the
     * page's last name.
     */
    private void walk(String url, int limit, PageCheck onPage, LinkCheck linkCheck) {
        int pages = 0;
        while (url != null) {
            Res page = http.get(url);
            assertStatus(page, 200);
            assertThat(page.header("Content-Type"), is("application/json"));
            List<JsonValue> items = page.json().asJsonArray();
            assertThat(items.size(), lessThanOrEqualTo(limit));
            String link = next(page);
            if (link != null) {
                assertThat(page.header("Link"), is("<" + link + ">; rel=\"next\""));
                assertThat(items.size(), is(limit));
                assertThat(link, link.matches("/api/apps\\?[A-Za-z0-9%&=._*~-]+"), is(true));
                URI.create(link);
                linkCheck.check(link, items.getLast().asJsonObject().getString("name"));
            }
            onPage.check(items, link != null);
            url = link;
            assertThat("runaway paging", ++pages, lessThan(100_000));
        }
    }

    private static Map<String, String> query(String link) {
        Map<String, String> params = new HashMap<>();
        for (String pair : URI.create(link).getRawQuery().split("&")) {
            String[] kv = pair.split("=", 2);
            String previous = params.put(kv[0], URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
            assertThat("parameter given once: " + link, previous, is(nullValue()));
        }
        return params;
    }

    /**
     * A page larger than the response buffer (64 KiB) is streamed, chunked, with the bytes, Link header and,
     * for HEAD, the Content-Length a body built whole had.
     */
    @Test
    void aPageLargerThanTheResponseBufferIsStreamedWithTheSameBytesLinkAndHeadLength() {
        String value = "\"" + "v".repeat(40_000) + "\"";
        for (String name : List.of("big/a", "big/b", "big/c")) {
            create(name, "{\"data\":" + value + "}");
        }
        String url = "/api/apps?prefix=big/&include=data&limit=2";
        Res page = http.get(url);
        assertStatus(page, 200);
        assertThat(
                page.text(),
                is("[{\"name\":\"big/a\",\"data\":" + value + "},{\"name\":\"big/b\",\"data\":" + value + "}]"));
        assertThat("streamed, not built whole", page.header("Content-Length"), is(nullValue()));
        assertThat(page.header("Content-Type"), is("application/json"));
        assertThat(
                page.header("Link"), is("</api/apps?prefix=big%2F&include=data&limit=2&after=big%2Fb>; rel=\"next\""));
        Res head = http.send("HEAD", url, (byte[]) null);
        assertStatus(head, 200);
        assertThat(head.body().length, is(0));
        assertThat(head.header("Content-Length"), is(String.valueOf(page.body().length)));
        assertThat(head.header("Link"), is(page.header("Link")));
        Res small = http.get("/api/apps?prefix=big/");
        assertThat(
                "a page that fits the buffer keeps its Content-Length",
                small.header("Content-Length"),
                is(String.valueOf(small.body().length)));
    }

    /**
     * The response buffer starts small and doubles up to 64 KiB: a body of any size up to that, written in one
     * piece or in many, is sent whole with its Content-Length and every byte in place.
     */
    @Test
    void bodiesThatGrowTheBufferUpTo64KiBAreSentWholeWithEveryByte() {
        for (int size : List.of(100, 4_000, 4_200, 9_000, 20_000, 40_000, 65_000)) {
            String value = "\"" + "w".repeat(size) + "\"";
            String name = "grow/" + size;
            create(name, "{\"data\":" + value + "}");
            Res page = http.get("/api/apps?prefix=" + name + "&include=data");
            assertStatus(page, 200);
            assertThat(page.text(), is("[{\"name\":\"" + name + "\",\"data\":" + value + "}]"));
            assertThat(
                    "a body of " + page.body().length + " bytes fits the buffer",
                    page.header("Content-Length"),
                    is(String.valueOf(page.body().length)));
        }
        Res all = http.get("/api/apps?prefix=grow/");
        assertThat(all.header("Content-Length"), is(String.valueOf(all.body().length)));
    }

    private static List<String> names(Res res) {
        assertStatus(res, 200);
        return res.json().asJsonArray().stream()
                .map(v -> v.asJsonObject().getString("name"))
                .toList();
    }

    private void create(String name, String body) {
        assertStatus(http.put(name, body), 204);
    }
}
