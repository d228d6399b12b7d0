package io.microstore.it;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.microstore.etcd.EtcdConfig;
import io.microstore.etcd.EtcdEngine;
import io.microstore.etcd.gateway.GatewayClient;
import io.microstore.store.Command;
import io.microstore.store.Entry;
import io.microstore.store.Importer;
import io.microstore.store.Outcome;
import io.microstore.store.Precondition;
import io.microstore.store.Store;
import io.microstore.testing.EtcdCluster;
import io.microstore.testing.Stores;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static io.microstore.testing.Eventually.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The etcd engine's admission of writes and --import's handling of writes whose outcome is unknown, on a
 * real 3-member etcd cluster.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class EtcdWritesIT {
    private static final AtomicInteger PREFIXES = new AtomicInteger();

    @TempDir
    static Path dir;

    static EtcdCluster cluster;

    private final List<Store> stores = new ArrayList<>();
    private String prefix;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = EtcdCluster.start(dir);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @BeforeEach
    void newPrefix() throws Exception {
        cluster.awaitLeader(Duration.ofSeconds(20));
        prefix = "/writes" + PREFIXES.incrementAndGet() + "-" + System.nanoTime() + "/";
    }

    @AfterEach
    void closeStores() {
        for (Store s : stores.reversed()) {
            s.close();
        }
    }

    private Store open(Duration requestTimeout, EtcdConfig config) throws Exception {
        GatewayClient client = new GatewayClient(cluster.endpoints(), Duration.ofMillis(500), requestTimeout);
        Store store = Store.open(new EtcdEngine(client, prefix, config), Stores.FEED);
        stores.add(store);
        return store;
    }

    private static byte[] json(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A cap of 4 txns with etcd at once, and 300 writes at once: the 296 beyond it wait their turn, none is refused. */
    @Test
    void aBurstLargerThanTheInFlightCapQueuesAndEveryWriteSucceeds() throws Exception {
        Store store = open(Duration.ofSeconds(5), EtcdConfig.DEFAULTS.withMaxInFlight(4));
        List<Command> burst = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            burst.add(new Command.Put("b" + i, json("{\"i\":" + i + "}"), Precondition.NONE));
        }
        List<Object> results = store.executeAll(burst);
        for (int i = 0; i < results.size(); i++) {
            assertTrue(results.get(i) instanceof Outcome, "write " + i + ": " + results.get(i));
        }
        assertEquals(300, store.size());
        assertEquals(0, store.stats().queued(), "every queued write left the queue");
    }

    /**
     * A request timeout of 300 ms and the etcd leader stopped (SIGSTOP) mid-import until another member
     * leads: writes sent meanwhile get no answer in time ("outcome unknown"). The import reads them back
     * once etcd answers again and sends again what is missing: every app ends with its imported value, and
     * the report says some writes had to be resolved (so the test saw the case it is about).
     */
    @Test
    void anImportResolvesWritesOfUnknownOutcomeByReadingThemBack() throws Exception {
        Store store = open(Duration.ofMillis(300), EtcdConfig.DEFAULTS);
        int n = 3000;
        List<Importer.Item> items = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            items.add(new Importer.Item("imp" + i, json("{\"i\":" + i + "}")));
        }
        CompletableFuture<Importer.Report> importing =
                CompletableFuture.supplyAsync(() -> Importer.run(store, items, true));
        await("the import under way", Duration.ofSeconds(60), () -> store.size() >= 300 || importing.isDone());
        int leader = cluster.awaitLeader(Duration.ofSeconds(20)); // under load a single look may find none
        cluster.pause(leader);
        try {
            await(
                    "another member leads",
                    Duration.ofSeconds(30),
                    () -> cluster.leader() != 0 && cluster.leader() != leader);
        } finally {
            cluster.resume(leader);
        }
        Importer.Report report;
        try {
            report = importing.get(120, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("the import failed: " + e.getCause(), e.getCause());
        }
        assertEquals(n, report.imported(), report.toString());
        assertTrue(report.refused().isEmpty(), report.toString());
        assertTrue(
                report.resolved() > 0,
                "no write had an unknown outcome, the test did not test its case (paused too late?): " + report);
        store.awaitConsistent();
        for (Importer.Item item : items) {
            Entry entry = store.get(item.name());
            assertNotNull(entry, item.name());
            assertArrayEquals(item.data(), entry.data(), item.name());
        }
    }
}
