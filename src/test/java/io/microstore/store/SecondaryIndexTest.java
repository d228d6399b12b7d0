package io.microstore.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;

import io.microstore.local.LocalEngine;
import io.microstore.persist.FileOps;
import io.microstore.persist.JournalConfig;
import io.microstore.persist.JournalPersistence;
import io.microstore.store.feed.ChangePage;
import io.microstore.store.query.Order;
import io.microstore.store.query.Selector;
import io.microstore.store.query.SortKey;
import io.microstore.testing.Eventually;
import io.microstore.testing.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Secondary indexes in the store: every answer through an index (every page followed to the end) equals a plain
 * evaluation of the selector over every app, also when the index was built while writers went on; a dropped
 * index changes no answer, only the plan; definitions survive a restart; and no record of the store's own shows
 * anywhere a user looks.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SecondaryIndexTest {
    private static final long BUDGET = 50;
    private static final String[] VALUES = {
        "1", "2", "1.0", "\"x\"", "\"y\"", "null", "true", "false", "[1,\"x\"]", "[]"
    };
    private static final String[] SELECTORS = {
        "{\"/a\": 1}",
        "{\"/a\": \"x\"}",
        "{\"/a\": {\"$in\": [2, \"y\", null]}}",
        "{\"/a\": {\"$in\": []}}",
        "{\"/a\": [1, \"x\"]}",
        "{\"/b\": {\"$gte\": 3}}",
        "{\"/b\": {\"$gt\": 1, \"$lt\": 4}}",
        "{\"/b\": {\"$lte\": 2}}",
        "{\"/b\": {\"$gt\": \"a\"}}",
        "{\"/t\": {\"$contains\": \"x\"}}",
        "{\"/t\": {\"$all\": [\"x\", \"y\"]}}",
        "{\"/a\": 1, \"/b\": {\"$gte\": 2}}",
        "{\"/a\": {\"$gt\": 1}, \"/t\": {\"$contains\": \"z\"}}",
        "{\"/b\": {\"$ne\": 2}}",
        "{}"
    };
    private static final String[] ORDERS = {"", "/b", "-/b", "/a,/b", "-/a,-/b", "/a", "/b,-/a", "-/t"};

    private Store store;

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
    }

    private static String app(Random r) {
        StringBuilder data = new StringBuilder("{");
        List<String> members = new ArrayList<>();
        if (r.nextInt(8) > 0) {
            members.add("\"a\":" + VALUES[r.nextInt(VALUES.length)]);
        }
        if (r.nextInt(8) > 0) {
            members.add("\"b\":" + (r.nextInt(9) == 0 ? "\"s\"" : Integer.toString(r.nextInt(6))));
        }
        if (r.nextInt(4) > 0) {
            List<String> tags = new ArrayList<>();
            for (int i = r.nextInt(4); i > 0; i--) {
                tags.add("\"" + "xyz".charAt(r.nextInt(3)) + "\"");
            }
            members.add("\"t\":[" + String.join(",", tags) + "]");
        }
        return data.append(String.join(",", members)).append('}').toString();
    }

    private void put(String name, String data) {
        store.execute(new Command.Put(name, data.getBytes(StandardCharsets.UTF_8), Precondition.NONE));
    }

    private void awaitReady(String id) throws InterruptedException {
        Eventually.await(
                "index " + id + " ready", () -> store.indexes().get(id).state().equals("ready"));
    }

    /** Every page of the query followed to the end: the names in order, the plans seen, the last total. */
    private record Answer(List<String> names, List<String> plans, long total) {}

    private Answer answer(Selector where, Order order, int limit, boolean count) {
        List<String> names = new ArrayList<>();
        List<String> plans = new ArrayList<>();
        SortKey key = null;
        String after = null;
        long total = -1;
        for (int pages = 0; pages < 10_000; pages++) {
            QueryPage page = store.query(new Query("", where, order, key, after, limit, count), BUDGET);
            page.items().forEach(e -> names.add(e.getKey()));
            plans.add(page.index() == null ? "scan" : page.index());
            total = page.total();
            if (!page.more()) {
                return new Answer(names, plans, total);
            }
            key = page.nextKey();
            after = page.nextName();
        }
        throw new AssertionError("more than 10000 pages");
    }

    /** The plain evaluation: every app tested, sorted by the order and then name. */
    private List<String> expected(Selector where, Order order) {
        List<Map.Entry<String, Entry>> matches = new ArrayList<>();
        for (Map.Entry<String, Entry> e : store.entries()) {
            if (where.matches(e.getValue().data())) {
                matches.add(e);
            }
        }
        Comparator<Map.Entry<String, Entry>> rows = Comparator.comparing(
                        (Map.Entry<String, Entry> e) -> order.key(e.getValue().data()), order.comparator())
                .thenComparing(Map.Entry::getKey, Names.ORDER);
        matches.sort(rows);
        return matches.stream().map(Map.Entry::getKey).toList();
    }

    private void compareEveryQuery(Random r, boolean indexed) {
        int served = 0;
        for (String s : SELECTORS) {
            Selector where = Selector.parse(s.getBytes(StandardCharsets.UTF_8));
            for (String o : ORDERS) {
                Order order = Order.parse(o);
                List<String> want = expected(where, order);
                int limit = 1 + r.nextInt(7);
                Answer got;
                try {
                    got = answer(where, order, limit, false);
                } catch (IndexRequired beyondBudget) {
                    assertFalse(indexed && o.equals("/b"), "an order an index serves needs no budget: " + s + " " + o);
                    continue;
                }
                assertEquals(want, got.names(), s + " order " + o + " limit " + limit + " plans " + got.plans());
                if (got.plans().stream().anyMatch(p -> !p.equals("scan"))) {
                    served++;
                }
                try {
                    Answer counted = answer(where, order, 0, true);
                    assertEquals(want.size(), counted.total(), "count of " + s);
                } catch (IndexRequired beyondBudget) {
                    // a count the index cannot serve is a scan's, refused beyond the budget
                }
            }
        }
        assertThat("queries served through an index", served > 0, is(indexed));
    }

    @Test
    void answersThroughIndexesEqualAPlainEvaluation() throws InterruptedException {
        store = Stores.memory();
        Random r = new Random(Long.getLong("index.seed", 20261206L));
        for (int i = 0; i < 400; i++) {
            put(String.format("app-%03d", r.nextInt(600)), app(r));
        }
        assertThat(store.indexes().define("a", List.of("/a")), is(true));
        assertThat(store.indexes().define("ab", List.of("/a", "/b")), is(true));
        assertThat(store.indexes().define("b", List.of("/b")), is(true));
        assertThat(store.indexes().define("t", List.of("/t")), is(true));
        for (String id : List.of("a", "ab", "b", "t")) {
            awaitReady(id);
        }
        compareEveryQuery(r, true);
        for (int i = 0; i < 200; i++) { // kept current by the commit stream
            String name = String.format("app-%03d", r.nextInt(600));
            if (r.nextInt(4) == 0) {
                store.execute(new Command.Delete(name, Precondition.NONE));
            } else {
                put(name, app(r));
            }
        }
        compareEveryQuery(r, true);
        for (String id : List.of("a", "ab", "b", "t")) {
            store.indexes().drop(id);
        }
        assertThat(store.indexes().list().isEmpty(), is(true));
        compareEveryQuery(r, false);
    }

    @Test
    void anIndexBuiltWhileWritersGoOnAnswersAsAScan() throws Exception {
        store = Stores.memory();
        Random r = new Random(7);
        for (int i = 0; i < 3000; i++) {
            put("w" + i, app(r));
        }
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            Random mine = new Random(w);
            writers.add(Thread.ofPlatform().start(() -> {
                while (!stop.get()) {
                    String name = "w" + mine.nextInt(3500);
                    if (mine.nextInt(5) == 0) {
                        try {
                            store.execute(new Command.Delete(name, Precondition.NONE));
                        } catch (AppNotFound gone) {
                            // deleted already
                        }
                    } else {
                        put(name, app(mine));
                    }
                }
            }));
        }
        store.indexes().define("a", List.of("/a"));
        store.indexes().define("bt", List.of("/b", "/t"));
        awaitReady("a");
        awaitReady("bt");
        stop.set(true);
        for (Thread t : writers) {
            t.join();
        }
        for (String s :
                new String[] {"{\"/a\": 1}", "{\"/a\": {\"$in\": [\"x\", [1, \"x\"]]}}", "{\"/b\": {\"$gte\": 2}}"}) {
            Selector where = Selector.parse(s.getBytes(StandardCharsets.UTF_8));
            for (Order order : List.of(Order.byName(), Order.parse("/b"), Order.parse("-/b,-/t"))) {
                try {
                    assertEquals(
                            expected(where, order),
                            answer(where, order, 7, false).names(),
                            s + " " + order);
                } catch (IndexRequired beyondBudget) {
                    // neither index serves this one within the budget
                }
            }
            QueryPage count = store.query(new Query("", where, Order.byName(), null, null, 0, true), BUDGET);
            assertEquals(expected(where, Order.byName()).size(), count.total(), "count of " + s);
        }
        // An index's entries: one whole entry per app, one per distinct element of an array at /a.
        long arrays = 0;
        for (Map.Entry<String, Entry> e : store.entries()) {
            arrays += new String(e.getValue().data(), StandardCharsets.UTF_8).contains("\"a\":[1,\"x\"]") ? 2 : 0;
        }
        assertEquals(store.size() + arrays, store.indexes().get("a").entries());
    }

    @Test
    void anEqualityCountReadsNoApp() throws InterruptedException {
        store = Stores.memory();
        for (int i = 0; i < 500; i++) {
            put("c" + i, "{\"s\":\"" + (i % 10 == 0 ? "open" : "closed") + "\",\"n\":" + i + "}");
        }
        store.indexes().define("s", List.of("/s"));
        store.indexes().define("n", List.of("/n"));
        awaitReady("s");
        awaitReady("n");
        QueryPage eq = store.query(query("{\"/s\": \"open\"}", 0, true), BUDGET);
        assertThat(eq.total(), is(50L));
        assertThat(eq.examined(), is(0L));
        assertThat(eq.index(), is("s"));
        QueryPage in = store.query(query("{\"/s\": {\"$in\": [\"open\", \"closed\", \"gone\"]}}", 0, true), BUDGET);
        assertThat(in.total(), is(500L));
        QueryPage range = store.query(query("{\"/n\": {\"$gte\": 100, \"$lt\": 300}}", 0, true), BUDGET);
        assertThat(range.total(), is(200L));
        assertThat(range.index(), is("n"));
        // A page with the count: the count from the index, the page through it.
        QueryPage page = store.query(query("{\"/s\": \"open\"}", 5, true), BUDGET);
        assertThat(page.total(), is(50L));
        assertThat(page.items().size(), is(5));
        // Beyond the budget an order by an indexed pointer needs no in-memory sort: no 422.
        QueryPage ordered =
                store.query(new Query("", Selector.all(), Order.parse("-/n"), null, null, 3, false), BUDGET);
        assertThat(ordered.items().getFirst().getKey(), is("c499"));
        assertThat(ordered.index(), is("n"));
    }

    private static Query query(String where, int limit, boolean count) {
        return new Query(
                "", Selector.parse(where.getBytes(StandardCharsets.UTF_8)), Order.byName(), null, null, limit, count);
    }

    @Test
    void definitionsAreRefusedOrConflictAsTheyShould() {
        store = Stores.memory();
        assertThrows(BadIndex.class, () -> store.indexes().define("bad id", List.of("/a")));
        assertThrows(BadIndex.class, () -> store.indexes().define("x".repeat(65), List.of("/a")));
        assertThrows(BadIndex.class, () -> store.indexes().define("a", List.of()));
        assertThrows(BadIndex.class, () -> store.indexes().define("a", List.of("/a", "/b", "/c", "/d", "/e")));
        assertThrows(BadIndex.class, () -> store.indexes().define("a", List.of("a")));
        assertThrows(BadIndex.class, () -> store.indexes().define("a", List.of("/a~2")));
        assertThrows(BadIndex.class, () -> store.indexes().define("a", List.of("/a", "/a")));
        assertThat(store.indexes().define("a", List.of("/a")), is(true));
        assertThat(store.indexes().define("a", List.of("/a")), is(false));
        assertThrows(IndexConflict.class, () -> store.indexes().define("a", List.of("/b")));
        for (int i = 1; i < Indexes.MAX; i++) {
            store.indexes().define("i" + i, List.of("/p" + i));
        }
        assertThrows(IndexConflict.class, () -> store.indexes().define("one-more", List.of("/z")));
        assertThrows(IndexNotFound.class, () -> store.indexes().drop("nope"));
        assertThrows(IndexNotFound.class, () -> store.indexes().get("nope"));
        store.indexes().drop("a");
        assertThrows(IndexNotFound.class, () -> store.indexes().get("a"));
    }

    @Test
    void noRecordOfTheStoresOwnShowsAnywhere() throws InterruptedException {
        store = Stores.memory();
        put("x", "{\"a\":1}");
        long before = store.lastSeq();
        store.indexes().define("a", List.of("/a"));
        put("y", "{\"a\":2}");
        awaitReady("a");
        assertThat(store.size(), is(2));
        assertThat(
                store.usedBytes(),
                is(Index.cost("x", "{\"a\":1}".getBytes(StandardCharsets.UTF_8))
                        + Index.cost("y", "{\"a\":2}".getBytes(StandardCharsets.UTF_8))));
        List<String> exported = new ArrayList<>();
        store.entries().forEach(e -> exported.add(e.getKey()));
        assertThat(exported, is(List.of("x", "y")));
        assertThat(
                store.list("", null, 100).items().stream()
                        .map(Map.Entry::getKey)
                        .toList(),
                is(List.of("x", "y")));
        ChangePage changes = store.feed().read(before, 100, "");
        List<String> changed = new ArrayList<>();
        changes.commits().forEach(c -> c.changes().forEach(ch -> changed.add(ch.name())));
        assertThat(changed, is(List.of("y")));
        QueryPage all = store.query(new Query("", Selector.all(), Order.byName(), null, null, 100, true), BUDGET);
        assertThat(all.total(), is(2L));
        store.indexes().drop("a");
        assertThat(store.feed().read(before, 100, "").commits().size(), is(1));
        assertThrows(InvalidName.class, () -> store.get(Reserved.INDEX + "a"));
    }

    @Test
    void definitionsSurviveARestartAndAreBuiltAgain(@TempDir Path dir) throws IOException, InterruptedException {
        store = journaled(dir);
        for (int i = 0; i < 100; i++) {
            put("r" + i, "{\"k\":" + (i % 7) + "}");
        }
        store.indexes().define("k", List.of("/k"));
        awaitReady("k");
        store.compact(); // the definition in a snapshot
        store.indexes().define("k2", List.of("/k", "/z"));
        put("r100", "{\"k\":3}"); // and one in the journal after it
        store.close();
        store = journaled(dir);
        assertThat(store.indexes().list().stream().map(IndexInfo::id).toList(), is(List.of("k", "k2")));
        awaitReady("k");
        assertThat(store.size(), is(101));
        QueryPage threes = store.query(query("{\"/k\": 3}", 0, true), BUDGET);
        assertThat(threes.index(), notNullValue());
        assertThat(threes.total(), is(15L));
        List<String> exported = new ArrayList<>();
        store.entries().forEach(e -> exported.add(e.getKey()));
        assertThat(exported.stream().anyMatch(Reserved::is), is(false));
        store.indexes().drop("k");
        store.indexes().drop("k2");
        store.close();
        store = journaled(dir);
        assertThat(store.indexes().list().isEmpty(), is(true));
        assertThat(store.query(query("{\"/k\": 3}", 0, true), 1000).index(), nullValue());
    }

    private static Store journaled(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("data"));
        JournalPersistence journal =
                JournalPersistence.open(new JournalConfig(dir.resolve("data"), 4096, FileOps.REAL));
        return Store.open(new LocalEngine(journal, Stores.LOCAL), Stores.FEED);
    }
}
