package io.microstore.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Map.Entry;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.microstore.local.LocalEngine;
import io.microstore.persist.MemoryPersistence;
import io.microstore.store.feed.ChangePage;
import io.microstore.testing.Stores;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Transactions in the store: the rule that decides them ({@link Transaction#plan}), what they may hold,
 * their outcome through the local engine, the quota, and that readers of the index (in tight loops, where
 * a gap of nanoseconds shows) never see part of one.
 */
class TransactionTest {
    private static final Precondition ANY = new Precondition(List.of("*"), null);
    private static final Precondition ABSENT = new Precondition(null, List.of("*"));

    private static byte[] json(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Command put(String name, String data) {
        return new Command.Put(name, json(data), Precondition.NONE);
    }

    private static Store memory(long limit) throws IOException {
        return Store.open(new LocalEngine(new MemoryPersistence(), Stores.LOCAL), Stores.FEED, limit);
    }

    private static String text(io.microstore.store.Entry entry) {
        return new String(entry.data(), StandardCharsets.UTF_8);
    }

    // --- the rule -----------------------------------------------------------------------------

    @Test
    void conditionsAreTestedBeforeValuesSoA412ComesBeforeAnyOtherRefusal() {
        Map<String, io.microstore.store.Entry> state = new HashMap<>();
        state.put("lock", new io.microstore.store.Entry(json("1"), 5));
        Transaction txn = new Transaction(List.of(
                new Command.Patch("absent", (name, current) -> json("1"), Precondition.NONE), // 404
                new Command.Check("free", ABSENT),
                new Command.Check("lock", new Precondition(List.of("\"4\""), null)))); // 412
        TxnRefused refused =
                assertThrows(TxnRefused.class, () -> txn.prepare(state::get).plan(state::get));
        assertThat(refused.index(), is(2));
        assertThat(refused.reason(), instanceOf(PreconditionFailed.class));
        assertThat(((PreconditionFailed) refused.reason()).currentEtag(), is("\"5\""));

        Transaction valuesOnly =
                new Transaction(List.of(txn.commands().get(1), txn.commands().get(0)));
        TxnRefused missing = assertThrows(
                TxnRefused.class, () -> valuesOnly.prepare(state::get).plan(state::get));
        assertThat(missing.index(), is(1));
        assertThat(missing.reason(), instanceOf(AppNotFound.class));
    }

    @Test
    void aStepChangesItsAppUnlessItIsACheckOrADeleteOfNothing() {
        io.microstore.store.Entry one = new io.microstore.store.Entry(json("1"), 3);
        Map<String, io.microstore.store.Entry> state = Map.of("x", one, "y", one, "z", one);
        List<Transaction.Step> steps = new Transaction(List.of(
                        put("p", "2"),
                        new Command.Delete("x", Precondition.NONE),
                        new Command.Delete("nothing", Precondition.NONE),
                        new Command.Check("y", ANY),
                        new Command.Patch("z", (name, current) -> json("3"), ANY)))
                .prepare(state::get)
                .plan(state::get);
        assertThat(steps.stream().map(Transaction.Step::changes).toList(), is(List.of(true, true, false, false, true)));
        assertThat(steps.stream().map(Transaction.Step::writes).toList(), is(List.of(true, true, true, false, true)));
        assertThat(new String(steps.get(3).after(), StandardCharsets.UTF_8), is("1"));
    }

    @Test
    void aTransactionHoldsCommandsOnDistinctAppsAndLocallyAnyNumberOfThem() throws IOException {
        assertThrows(BadTransaction.class, () -> new Transaction(List.of()));
        List<Command> many = new ArrayList<>();
        for (int i = 0; i <= 2 * Transaction.MAX_COMMANDS; i++) {
            many.add(put("n" + i, "1"));
        }
        try (Store store = memory(Long.MAX_VALUE)) { // an import is one such commit
            assertThat(store.maxCommands(), is(Integer.MAX_VALUE));
            assertThat(store.execute(new Transaction(many)).seq(), is(1L));
            assertThat(store.size(), is(many.size()));
        }
        assertThrows(TxnRefused.class, () -> new Transaction(List.of(put("a", "1"), new Command.Check("a", ANY))));
    }

    // --- through the store --------------------------------------------------------------------

    @Test
    void aTransactionCommitsWithOneSeqOrNotAtAll() throws IOException {
        try (Store store = memory(Long.MAX_VALUE)) {
            store.execute(put("old", "0"));
            store.execute(put("lock", "0"));
            long s = store.lastSeq();
            TxnOutcome outcome = store.execute(new Transaction(List.of(
                    put("a", "1"),
                    put("b", "2"),
                    new Command.Delete("old", Precondition.NONE),
                    new Command.Check("lock", ANY))));
            assertThat(outcome.seq(), is(s + 1));
            assertThat(outcome.changed(), is(true));
            assertThat(store.get("a").seq(), is(s + 1));
            assertThat(store.get("b").seq(), is(s + 1));
            assertThat(store.get("old"), is(nullValue()));
            assertThat(outcome.results().get(2), is(new Outcome(s + 1, null)));
            assertThat(outcome.results().get(3).entry().seq(), is(s)); // the check saw the state before
            ChangePage page = store.feed().read(s, 1, "");
            assertThat(page.commits().getFirst().changes().size(), is(3));
            assertThat(page.lastSeq(), is(s + 1));

            TxnRefused refused = assertThrows(
                    TxnRefused.class,
                    () -> store.execute(
                            new Transaction(List.of(put("c", "3"), new Command.Put("a", json("9"), ABSENT)))));
            assertThat(refused.index(), is(1));
            assertThat(store.get("c"), is(nullValue()));
            assertThat(text(store.get("a")), is("1"));
            assertThat(store.lastSeq(), is(s + 1));

            TxnRefused badName = assertThrows(
                    TxnRefused.class, () -> store.execute(new Transaction(List.of(put("c", "3"), put("bad\n", "1")))));
            assertThat(badName.index(), is(1));
            assertThat(badName.reason(), instanceOf(InvalidName.class));

            TxnOutcome nothing = store.execute(new Transaction(
                    List.of(new Command.Check("a", ANY), new Command.Delete("never", Precondition.NONE))));
            assertThat(nothing.changed(), is(false));
            assertThat(nothing.seq(), is(s + 1));
            assertThat(store.lastSeq(), is(s + 1));
        }
    }

    @Test
    void aSingleCommandIsRefusedAsItselfNotAsATransaction() throws IOException {
        try (Store store = memory(Long.MAX_VALUE)) {
            assertThrows(PreconditionFailed.class, () -> store.execute(new Command.Delete("x", ANY)));
            assertThrows(
                    AppNotFound.class,
                    () -> store.execute(new Command.Patch("x", (n, c) -> json("1"), Precondition.NONE)));
            List<Object> results = store.executeAll(List.of(new Command.Delete("x", ANY), put("y", "1")));
            assertThat(results.get(0), instanceOf(PreconditionFailed.class));
            assertThat(results.get(1), instanceOf(Outcome.class));
        }
    }

    @Test
    void theQuotaCountsATransactionsPutsLessWhatItsDeletesFree() throws IOException {
        String big = "\"" + "x".repeat(4_000) + "\"";
        try (Store store = memory(10_000)) {
            store.execute(put("a", big));
            store.execute(put("b", big));
            long s = store.lastSeq();
            // two more big values do not fit, not even one at a time in one transaction
            assertThrows(
                    QuotaExceeded.class, () -> store.execute(new Transaction(List.of(put("c", big), put("d", "1")))));
            assertThat(store.get("d"), is(nullValue()));
            // replacing both by others of the same size fits: the deletes free what the puts take
            store.execute(new Transaction(List.of(
                    new Command.Delete("a", Precondition.NONE),
                    new Command.Delete("b", Precondition.NONE),
                    put("c", big),
                    put("d", big))));
            assertThat(store.lastSeq(), is(s + 1));
            // a patch that grows past the quota refuses its transaction, with its index
            TxnRefused refused = assertThrows(
                    TxnRefused.class,
                    () -> store.execute(new Transaction(List.of(
                            put("e", "1"),
                            new Command.Patch("c", (n, c) -> json("\"" + "y".repeat(6_000) + "\""), ANY)))));
            assertThat(refused.index(), is(1));
            assertThat(refused.reason(), instanceOf(QuotaExceeded.class));
            assertThat(store.get("e"), is(nullValue()));
        }
    }

    // --- readers ------------------------------------------------------------------------------

    /**
     * A writer commits transactions that write one counter into three apps; readers in tight loops read
     * two of them one after the other, and list all three: no read ever shows part of a transaction.
     */
    @Test
    void noReaderOfTheIndexSeesPartOfATransaction() throws Exception {
        List<String> names = List.of("t/a", "t/m", "t/z");
        try (Store store = memory(Long.MAX_VALUE)) {
            store.execute(new Transaction(names.stream().map(n -> put(n, "0")).toList()));
            AtomicBoolean done = new AtomicBoolean();
            ExecutorService pool = Executors.newFixedThreadPool(3);
            try {
                Future<Integer> writer = pool.submit(() -> {
                    int n = 0;
                    for (long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500);
                            System.nanoTime() < end; ) {
                        String value = String.valueOf(++n);
                        store.execute(new Transaction(
                                names.stream().map(name -> put(name, value)).toList()));
                    }
                    done.set(true);
                    return n;
                });
                Future<Long> getter = pool.submit(() -> {
                    long reads = 0;
                    while (!done.get()) {
                        int a = Integer.parseInt(text(store.get("t/a")));
                        int z = Integer.parseInt(text(store.get("t/z")));
                        int a2 = Integer.parseInt(text(store.get("t/a")));
                        assertThat("t/z read after t/a", z, greaterThanOrEqualTo(a));
                        assertThat("t/a read after t/z", a2, greaterThanOrEqualTo(z));
                        reads++;
                    }
                    return reads;
                });
                Future<Long> lister = pool.submit(() -> {
                    long reads = 0;
                    while (!done.get()) {
                        List<Entry<String, io.microstore.store.Entry>> items =
                                store.list("t/", null, 10).items();
                        assertThat(items.size(), is(3));
                        for (Entry<String, io.microstore.store.Entry> item : items) {
                            assertThat(
                                    text(item.getValue()),
                                    is(text(items.getFirst().getValue())));
                        }
                        reads++;
                    }
                    return reads;
                });
                int transactions = writer.get(60, TimeUnit.SECONDS);
                assertThat(getter.get(60, TimeUnit.SECONDS), greaterThan(0L));
                assertThat(lister.get(60, TimeUnit.SECONDS), greaterThan(0L));
                assertThat(transactions, greaterThan(100));
            } finally {
                done.set(true);
                pool.shutdownNow();
            }
        }
    }
}
