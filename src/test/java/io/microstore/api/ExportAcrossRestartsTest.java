package io.microstore.api;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;

import io.microstore.local.LocalEngine;
import io.microstore.persist.FileOps;
import io.microstore.persist.JournalConfig;
import io.microstore.persist.JournalPersistence;
import io.microstore.store.Store;
import io.microstore.testing.Stores;
import io.microstore.testing.TestClient;
import io.microstore.testing.TestClient.Res;
import io.microstore.testing.TestServer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static io.microstore.testing.TestClient.app;
import static io.microstore.testing.TestClient.utf8;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * Property: any sequence of PUTs, PATCHes in both formats, transactions, imports, deletes, compactions
 * and restarts leaves {@code GET /api/export} byte for byte the same across each restart. The values are
 * the awkward ones: escapes (a lone surrogate among them), numbers no machine type holds, {@code -0},
 * repeated member names; the names are unicode and slashes. No request gets a 5xx. Each try's sequence
 * comes from its seed (in the test's name), so a failure replays exactly.
 */
class ExportAcrossRestartsTest {
    private static final List<String> NAMES = List.of("a", "a/b", "é", "😀", "sp ace", "?", "x");
    private static final List<String> VALUES = List.of(
            "\"\\ud800x\"",
            "1e400",
            "-0",
            "1.50",
            "\"\\u0041\\/\"",
            "{\"k\":1,\"k\":2}",
            "[1,{\"a\":null}]",
            "\"é😀\"",
            "1" + "0".repeat(300),
            "null",
            "{\"x\":{\"y\":[]}}");
    private static final int TRIES = 20;

    @TempDir
    Path dir;

    private Store store;
    private TestServer server;
    private TestClient http;

    static LongStream seeds() {
        long base = Long.getLong("restart.seed", 20261206L);
        return LongStream.range(base, base + TRIES);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void exportIsByteIdenticalAcrossRestarts(long seed) throws IOException {
        Random random = new Random(seed);
        open();
        try {
            for (int step = 0; step < 60; step++) {
                switch (random.nextInt(10)) {
                    case 0, 1, 2 ->
                        send("PUT", app(name(random)), "{\"data\":" + value(random) + "}", "application/json");
                    case 3 ->
                        send(
                                "PATCH",
                                app(name(random)),
                                "{\"data\":{\"m\":" + value(random) + ",\"x\":null}}",
                                TestClient.MERGE);
                    case 4 ->
                        send(
                                "PATCH",
                                app(name(random)),
                                "[{\"op\":\"add\",\"path\":\"/data/j\",\"value\":" + value(random) + "}]",
                                TestClient.JSON_PATCH);
                    case 5 ->
                        send(
                                "POST",
                                "/api/txn",
                                "[{\"op\":\"put\",\"name\":\"" + txnName(random) + "\",\"data\":"
                                        + value(random) + "},{\"op\":\"patch\",\"name\":\"" + "a"
                                        + "\",\"merge\":{\"t\":"
                                        + value(random) + "}}]",
                                "application/json");
                    case 6 ->
                        send(
                                "POST",
                                "/api/import?overwrite=true",
                                "{\"name\":\"i/" + random.nextInt(3) + "\",\"data\":" + value(random)
                                        + "}\n{\"name\":\"é\",\"data\":" + value(random) + "}\n",
                                "application/x-ndjson");
                    case 7 -> send("DELETE", app(name(random)), null, null);
                    case 8 -> send("POST", "/api/admin/compact", null, null);
                    default -> restartAndCompare();
                }
            }
            restartAndCompare();
        } finally {
            close();
        }
    }

    private void restartAndCompare() throws IOException {
        byte[] before = export();
        close();
        open();
        assertArrayEquals(before, export(), "the export after a restart");
    }

    private byte[] export() {
        Res res = http.get("/api/export");
        assertThat(res.describe(), res.status(), lessThan(300));
        return res.body();
    }

    private void send(String method, String target, String body, String type) {
        Res res = type == null
                ? http.raw(method, target, null)
                : http.raw(method, target, utf8(body), "Content-Type", type);
        assertThat(res.describe(), res.status(), lessThan(500)); // refusals (404, 409, 422) are fine, failures not
    }

    private void open() throws IOException {
        JournalPersistence journal =
                JournalPersistence.open(new JournalConfig(dir.resolve("data"), 4096, FileOps.REAL));
        store = Store.open(new LocalEngine(journal, Stores.LOCAL), Stores.FEED);
        server = TestServer.start(store);
        http = server.http();
    }

    private void close() {
        server.close();
        store.close();
    }

    /** A name a transaction writes: mostly plain, now and then one with a lone surrogate beside an app named "?". */
    private static String txnName(Random random) {
        return random.nextInt(4) == 0 ? "\\ud800" : "t/" + random.nextInt(3);
    }

    private static String name(Random random) {
        return NAMES.get(random.nextInt(NAMES.size()));
    }

    private static String value(Random random) {
        return random.nextInt(4) == 0
                ? "{\"v\":" + value(random) + ",\"w\":" + VALUES.get(random.nextInt(VALUES.size())) + "}"
                : VALUES.get(random.nextInt(VALUES.size()));
    }
}
