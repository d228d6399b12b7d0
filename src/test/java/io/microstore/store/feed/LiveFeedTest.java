package io.microstore.store.feed;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.microstore.commit.Change;
import io.microstore.commit.Commit;
import io.microstore.store.Entry;
import io.microstore.store.query.Selector;
import io.microstore.testing.Eventually;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

/**
 * The feed's side of live queries: each change's prior (the value it replaced) read with a selector into
 * enter, update and the three leaves; priors counted once in {@link ChangeFeed#heldBytes}; a live query woken
 * only by changes whose old or new value has its equality's value.
 */
@Timeout(60)
class LiveFeedTest {
    private static final Duration KEEP_ALIVE = Duration.ofSeconds(15);
    /** How long a waiter is watched for a wake-up it must not have. */
    private static final Duration IGNORED = Duration.ofMillis(300);

    private final List<AutoCloseable> closeAfter = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closeAfter.reversed()) {
            c.close();
        }
    }

    private ChangeFeed feed(int retain) {
        ChangeFeed feed = new ChangeFeed(new FeedConfig(retain, 1 << 20, 10, KEEP_ALIVE));
        closeAfter.add(feed);
        feed.loaded(0);
        return feed;
    }

    private static byte[] json(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Selector where(String s) {
        return Selector.parse(json(s));
    }

    @Test
    void priorsMakeEnterUpdateAndEveryLeave() {
        ChangeFeed feed = feed(100);
        Entry open = new Entry(json("{\"s\":\"a\"}"), 1, 0);
        Entry closed = new Entry(json("{\"s\":\"b\"}"), 1, 0);
        List<Commit> batch = List.of(
                Commit.of(2, Change.put("enter", json("{\"s\":\"a\"}"))),
                Commit.of(3, Change.put("update", json("{\"s\":\"a\",\"n\":1}"))),
                Commit.of(4, Change.put("unmatched", json("{\"s\":\"b\"}"))),
                Commit.of(5, Change.delete("deleted")),
                Commit.of(6, Change.expiry("expired")),
                Commit.of(7, Change.put("never", json("{\"s\":\"c\"}"))),
                Commit.of(8, Change.delete("gone-never")));
        feed.committed(
                batch,
                List.of(
                        new Entry[] {closed},
                        new Entry[] {open},
                        new Entry[] {open},
                        new Entry[] {open},
                        new Entry[] {open},
                        new Entry[] {closed},
                        new Entry[] {closed}));
        ChangePage page = feed.read(FeedPosition.after(0), 100, "", where("{\"/s\":\"a\"}"));
        List<String> got = new ArrayList<>();
        for (int c = 0; c < page.commits().size(); c++) {
            got.add(page.commits().get(c).only().name() + " " + page.transition(c, 0));
        }
        assertThat(
                got,
                is(List.of(
                        "enter ENTER", "update UPDATE", "unmatched UNMATCHED", "deleted DELETED", "expired EXPIRED")));
        assertThat(page.lastSeq(), is(8L));
        assertThat("a plain read has no transitions", feed.read(0, 100, "").transitions(), nullValue());
    }

    @Test
    void aTransactionKeepsTheChangesThatConcernTheQueryWithTheirPlaces() {
        ChangeFeed feed = feed(100);
        Entry open = new Entry(json("{\"s\":\"a\"}"), 1, 0);
        Commit txn = new Commit(
                2,
                List.of(
                        Change.put("x", json("{\"s\":\"b\"}")), // never matched
                        Change.put("y", json("{\"s\":\"a\"}")), // enter
                        Change.delete("z"), // leave
                        Change.put("w", json("1")))); // never matched
        feed.committed(List.of(txn), List.<Entry[]>of(new Entry[] {null, null, open, null}));
        ChangePage page = feed.read(FeedPosition.after(0), 1, "", where("{\"/s\":\"a\"}"));
        assertThat(page.commits().getFirst().changes().size(), is(2));
        assertThat(page.place(0, 0), is(1));
        assertThat(page.place(0, 1), is(2));
        assertThat(page.transition(0, 1), is(Transition.DELETED));
        ChangePage rest = feed.read(new FeedPosition(2, 1), 10, "", where("{\"/s\":\"a\"}"));
        assertThat(rest.commits().getFirst().only().name(), is("z"));
        assertThat(rest.place(0, 0), is(2));
    }

    @Test
    void heldBytesCountEveryRetainedPriorOnce() {
        // The store's protocol with priors: superseded() before the index changes, committed() with the replaced
        // entries after. Beyond heldBytes' definition without priors, a retained change's prior costs
        // PRIOR_OVERHEAD, and its value too once the change that wrote it has left the window.
        record Written(long seq, Change change) {}
        Map<String, Written> index = new HashMap<>();
        List<Written> all = new ArrayList<>();
        // a change -> the one whose value it replaced; by identity: two deletes of a name in one commit are equal
        Map<Written, Written> priorOf = new IdentityHashMap<>();
        int retain = 16;
        ChangeFeed feed = new ChangeFeed(
                new FeedConfig(retain, 1 << 20, 10, KEEP_ALIVE),
                (seq, name, data) -> data != null
                        && index.get(name) instanceof Written w
                        && w.seq() == seq
                        && w.change().data() == data);
        closeAfter.add(feed);
        feed.loaded(0);
        Random random = new Random(17);
        long seq = 0;
        for (int round = 0; round < 2_000; round++) {
            List<Commit> batch = new ArrayList<>();
            List<Entry[]> priors = new ArrayList<>();
            for (int seqs = 1 + random.nextInt(4); seqs > 0; seqs--) {
                seq++;
                List<Change> changes = new ArrayList<>();
                for (int n = random.nextInt(5) == 0 ? 2 + random.nextInt(3) : 1; n > 0; n--) {
                    String name = "n" + random.nextInt(6);
                    changes.add(
                            random.nextInt(4) == 0
                                    ? Change.delete(name)
                                    : Change.put(name, json("\"" + "x".repeat(random.nextInt(50)) + "\"")));
                }
                Commit commit = new Commit(seq, changes);
                Entry[] prior = new Entry[changes.size()];
                for (int i = 0; i < changes.size(); i++) {
                    Change change = changes.get(i);
                    Written old = index.get(change.name());
                    Written now = new Written(seq, change);
                    if (old != null) {
                        feed.superseded(
                                old.change().name(), old.seq(), old.change().data());
                        prior[i] = new Entry(old.change().data(), old.seq(), 0);
                        priorOf.put(now, old);
                    }
                    if (change.isDelete()) {
                        index.remove(change.name());
                    } else {
                        index.put(change.name(), now);
                    }
                    all.add(now);
                }
                batch.add(commit);
                priors.add(prior);
            }
            feed.committed(batch, priors);
            long last = seq;
            long expected = 0;
            for (Written w : all) {
                if (w.seq() <= last - retain) {
                    continue;
                }
                if (!w.equals(index.get(w.change().name()))) {
                    expected += (w.change().isDelete() ? 0 : w.change().data().length) + ChangeFeed.CHANGE_OVERHEAD;
                }
                Written p = priorOf.get(w);
                if (p != null) {
                    expected += ChangeFeed.PRIOR_OVERHEAD
                            + (p.seq() <= last - retain ? p.change().data().length : 0);
                }
            }
            assertThat("after seq " + seq, feed.heldBytes(), is(expected));
        }
    }

    @Test
    void aLiveQueryIsWokenOnlyByChangesAtItsEqualityValueBeforeOrAfter() throws Exception {
        ChangeFeed feed = feed(100);
        Entry open = new Entry(json("{\"s\":\"a\"}"), 1, 0);
        AtomicInteger probes = new AtomicInteger();
        AtomicInteger woken = new AtomicInteger();
        ChangeFeed.Waiter waiter = feed.subscribe(where("{\"/s\":\"a\",\"/n\":{\"$gt\":1}}"));
        assertThat(feed.liveQueries(), is(1));
        CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> {
            try (waiter) {
                waiter.await(Duration.ofSeconds(30), () -> {
                    probes.incrementAndGet();
                    return woken.get() > 0 ? "woken" : null;
                });
            }
        });
        Eventually.await("the live query waits", () -> feed.waiting() == 1);
        long seq = 0;
        for (String other : List.of("{\"s\":\"b\"}", "{\"s\":\"A\"}", "{\"n\":5}", "[\"a\"]", "{\"s\":[\"a\"]}")) {
            seq++;
            feed.committed(List.of(Commit.of(seq, Change.put("k" + seq, json(other)))), List.<Entry[]>of(new Entry[1]));
        }
        Eventually.holds("not woken by changes without s = \"a\"", IGNORED, () -> probes.get() == 1);
        woken.set(1);
        seq++;
        // its old value had s = "a": the app may be leaving the result set
        feed.committed(List.of(Commit.of(seq, Change.delete("k"))), List.<Entry[]>of(new Entry[] {open}));
        waiting.get(30, TimeUnit.SECONDS);
        assertThat(probes.get(), is(2));
        assertThat(feed.liveQueries(), is(0));
    }

    @Test
    void aLiveQueryWithoutAnEqualityIsWokenByEveryCommit() throws Exception {
        ChangeFeed feed = feed(100);
        AtomicInteger probes = new AtomicInteger();
        ChangeFeed.Waiter waiter = feed.subscribe(where("{\"/n\":{\"$gt\":1}}"));
        CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> {
            try (waiter) {
                waiter.await(Duration.ofSeconds(30), () -> probes.incrementAndGet() > 1 ? "woken" : null);
            }
        });
        Eventually.await("the live query waits", () -> feed.waiting() == 1);
        feed.committed(List.of(Commit.of(1, Change.put("k", json("{\"s\":\"b\"}")))), List.<Entry[]>of(new Entry[1]));
        waiting.get(30, TimeUnit.SECONDS);
        assertThat(probes.get(), is(2));
    }
}
