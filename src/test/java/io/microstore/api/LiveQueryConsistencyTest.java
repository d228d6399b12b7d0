package io.microstore.api;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.microstore.testing.ServerTestBase;
import io.microstore.testing.TestClient;
import io.microstore.testing.TestClient.Res;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static io.microstore.testing.TestClient.assertOk;
import static io.microstore.testing.TestClient.assertStatus;
import static io.microstore.testing.TestClient.encode;
import static io.microstore.testing.TestClient.seq;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/**
 * The consistency promise, as a property on both engines: list with {@code where} (its
 * {@code Query-Seq: S}) while another client writes, then follow {@code /api/changes?since=S} with the same
 * {@code where}, applying enter and update (the app with its value is in) and leave (it is out): the result
 * is exactly a fresh listing once the writes are done. Random writes (puts, merge patches, deletes,
 * transactions) over a few names, random selectors; the seed is in the failure message.
 */
@Timeout(600)
class LiveQueryConsistencyTest extends ServerTestBase {
    private static final int NAMES = 8;
    private static final int ROUNDS = 12;
    private static final List<String> SELECTORS = List.of(
            "{\"/s\":\"a\"}",
            "{\"/n\":{\"$gte\":2}}",
            "{\"$or\":[{\"/s\":\"b\"},{\"/n\":0}]}",
            "{\"/s\":{\"$in\":[\"a\",\"c\"]},\"/n\":{\"$lt\":3}}",
            "{\"/s\":{\"$exists\":false}}",
            "{\"$not\":{\"/s\":\"a\"}}",
            "{\"$and\":[{\"/s\":\"c\"},{\"/n\":{\"$ne\":1}}]}");

    @Test
    void listingAtQuerySeqPlusTheFilteredFeedEqualsAFreshListing() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        for (int round = 0; round < ROUNDS; round++) {
            String where = SELECTORS.get(random.nextInt(SELECTORS.size()));
            String why = "seed " + seed + ", round " + round + ", where " + where;
            String prefix = "c" + round + "/";
            for (int i = 0; i < 15; i++) {
                write(random, prefix);
            }
            long writerSeed = random.nextLong();
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                Random r = new Random(writerSeed);
                for (int i = 0; i < 25; i++) {
                    write(r, prefix);
                }
            });
            Res listed = http.get("/api/apps?include=data&prefix=" + encode(prefix) + "&where=" + encode(where));
            assertStatus(listed, 200);
            long since = Long.parseLong(listed.header("Query-Seq"));
            Map<String, JsonValue> state = new HashMap<>();
            for (JsonValue v : listed.json().asJsonArray()) {
                state.put(v.asJsonObject().getString("name"), v.asJsonObject().get("data"));
            }
            writer.get(120, TimeUnit.SECONDS);
            for (int i = 0; i < 5; i++) {
                write(random, prefix);
            }
            Res mark = http.putApp(prefix + "zz-last", "\"x\""); // a write known to be the last
            assertStatus(mark, 204);
            long last = seq(mark.header("ETag"));
            long at = since;
            while (at < last) {
                JsonObject page = assertOk(http.get("/api/changes?include=data&limit=7&since=" + at + "&prefix="
                        + encode(prefix) + "&where=" + encode(where)));
                for (JsonValue v : page.getJsonArray("results")) {
                    JsonObject change = v.asJsonObject();
                    String name = change.getString("name");
                    switch (change.getString("event")) {
                        case "enter", "update" -> state.put(name, change.get("data"));
                        case "leave" -> state.remove(name);
                        default -> throw new AssertionError(why + ": event " + change);
                    }
                }
                at = page.getJsonNumber("last_seq").longValue();
            }
            Res fresh = http.get("/api/apps?include=data&prefix=" + encode(prefix) + "&where=" + encode(where));
            Map<String, JsonValue> expected = new HashMap<>();
            for (JsonValue v : fresh.json().asJsonArray()) {
                expected.put(
                        v.asJsonObject().getString("name"), v.asJsonObject().get("data"));
            }
            assertThat(why, state, is(expected));
        }
    }

    /** One random write under {@code prefix}; returns its seq (0 when it changed nothing). */
    private long write(Random random, String prefix) {
        String name = prefix + random.nextInt(NAMES);
        Res res = switch (random.nextInt(6)) {
            case 0, 1 -> http.putApp(name, value(random));
            case 2 -> http.patch(name, TestClient.MERGE, "{\"data\":" + value(random) + "}");
            case 3 -> http.delete(name);
            default -> {
                StringBuilder ops = new StringBuilder("[");
                int n = 2 + random.nextInt(3);
                List<Integer> picked =
                        random.ints(0, NAMES).distinct().limit(n).boxed().toList();
                for (int i = 0; i < picked.size(); i++) {
                    String op = random.nextInt(4) == 0
                            ? "{\"op\":\"delete\",\"name\":\"" + prefix + picked.get(i) + "\"}"
                            : "{\"op\":\"put\",\"name\":\"" + prefix + picked.get(i) + "\",\"data\":" + value(random)
                                    + "}";
                    ops.append(i > 0 ? "," : "").append(op);
                }
                yield http.send("POST", "/api/txn", ops.append(']').toString(), "Content-Type", TestClient.JSON);
            }
        };
        if (res.status() == 404) { // a patch or delete of an app that is not there
            return 0;
        }
        if (res.status() == 200 && res.json().asJsonObject().containsKey("seq")) { // a transaction
            return res.json().asJsonObject().getJsonNumber("seq").longValue();
        }
        assertThat(res.describe(), res.status() == 200 || res.status() == 204, is(true));
        String etag = res.header("ETag");
        return etag == null ? 0 : seq(etag);
    }

    private static String value(Random random) {
        int s = random.nextInt(4);
        return "{" + (s < 3 ? "\"s\":\"" + (char) ('a' + s) + "\"," : "") + "\"n\":" + random.nextInt(4) + "}";
    }
}
