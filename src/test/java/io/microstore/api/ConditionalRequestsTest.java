package io.microstore.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import io.microstore.testing.ServerTestBase;
import io.microstore.testing.TestClient;
import io.microstore.testing.TestClient.Res;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.microstore.testing.TestClient.JSON_PATCH;
import static io.microstore.testing.TestClient.MERGE;
import static io.microstore.testing.TestClient.app;
import static io.microstore.testing.TestClient.assertJson;
import static io.microstore.testing.TestClient.assertProblem;
import static io.microstore.testing.TestClient.assertStatus;
import static io.microstore.testing.TestClient.etag;
import static io.microstore.testing.TestClient.seq;
import static io.microstore.testing.TestClient.utf8;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

/** Revisions and RFC 9110 conditional requests: ETags, If-None-Match, If-Match, and racing conditional writers. */
class ConditionalRequestsTest extends ServerTestBase {
    @Override
    protected Map<String, String> settings() {
        return Map.of("server.max-payload-size", "65536");
    }

    // --- revisions ----------------------------------------------------------------------------

    @Test
    void everyCommittedMutationTakesTheNextSeqAndNothingElseDoes() {
        long s = seq(http.put("a", "{\"data\":\"v1\"}").header("ETag"));
        assertThat(http.put("b", "{\"data\":\"v1\"}").header("ETag"), is(etag(s + 1)));
        assertThat(http.put("a", "{\"data\":\"v2\"}").header("ETag"), is(etag(s + 2)));
        assertThat(http.patch("a", MERGE, "{\"data\":\"v3\"}").header("ETag"), is(etag(s + 3)));
        assertStatus(http.delete("a"), 204); // s + 4
        // refused or empty requests commit nothing
        assertStatus(http.delete("a"), 204);
        assertStatus(http.delete("never"), 204);
        assertProblem(http.put("b", "{\"data\":9}", "If-Match", "\"1\""), 412);
        assertProblem(http.patch("b", JSON_PATCH, "[{\"op\":\"test\",\"path\":\"/data\",\"value\":0}]"), 409);
        assertProblem(http.patch("b", MERGE, "{\"name\":\"c\"}"), 422);
        assertProblem(http.patch("missing", MERGE, "{\"data\":1}"), 404);
        assertProblem(http.put("b", "{\"data\":"), 400);
        // re-created after a delete: a new tag, never one the app had before
        Res again = http.put("a", "{\"data\":1}");
        assertThat(again.header("ETag"), is(etag(s + 5)));
        assertThat(http.get(app("a")).header("ETag"), is(etag(s + 5)));
        assertThat(http.get(app("b")).header("ETag"), is(etag(s + 1)));
    }

    @Test
    void etagsOfOneAppIncreaseAndNeverRepeatAcrossDeleteAndRecreate() {
        List<Long> seen = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Res res = switch (i % 4) {
                case 0, 1 -> http.put("cycle", "{\"data\":[" + i + "]}");
                case 2 -> http.patch("cycle", MERGE, "{\"data\":{\"i\":" + i + "}}");
                default -> null;
            };
            if (res == null) {
                assertStatus(http.delete("cycle"), 204);
                assertProblem(http.get(app("cycle")), 404);
                continue;
            }
            long seq = seq(res.header("ETag"));
            if (!seen.isEmpty()) {
                assertThat(seq, greaterThan(seen.getLast()));
            }
            seen.add(seq);
            assertThat(http.get(app("cycle")).header("ETag"), is(res.header("ETag")));
        }
    }

    // --- If-None-Match on GET and HEAD ----------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"GET", "HEAD"})
    void ifNoneMatchThatMatchesIs304WithoutBody(String method) {
        String tag = http.put("inm", "{\"data\":{\"x\":[1,2]}}").header("ETag");
        String weak = "W/" + tag;
        for (String condition :
                List.of(tag, weak, "*", "\"0\", " + tag, "\"0\",\"1\"," + weak, " " + tag + " ", "\"x\"," + tag)) {
            Res res = http.send(method, app("inm"), (byte[]) null, "If-None-Match", condition);
            assertStatus(res, 304);
            assertThat(condition, res.body().length, is(0));
            assertThat(condition, res.header("ETag"), is(tag));
        }
        // two header lines form one list
        Res twoLines = http.send(method, app("inm"), (byte[]) null, "If-None-Match", "\"0\"", "If-None-Match", tag);
        assertStatus(twoLines, 304);
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET", "HEAD"})
    void ifNoneMatchThatDoesNotMatchIs200WithTheDocument(String method) {
        String old = http.put("inm", "{\"data\":1}").header("ETag");
        String tag = http.put("inm", "{\"data\":2}").header("ETag");
        for (String condition : List.of(
                old, "W/" + old, "\"0\", " + old, "\"" + seq(tag) + "0\"", "\"\"", "W/\"" + (seq(tag) + 1) + "\"")) {
            Res res = http.send(method, app("inm"), (byte[]) null, "If-None-Match", condition);
            assertStatus(res, 200);
            assertThat(res.header("ETag"), is(tag));
            assertThat(res.header("Content-Type"), is("application/json"));
            if (method.equals("GET")) {
                assertJson(res, 200, "{\"name\":\"inm\",\"data\":2}");
            } else {
                assertThat(res.body().length, is(0));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET", "HEAD"})
    void aConditionOnAMissingAppIs404(String method) { // RFC 9110 13.2.1: no 2xx to make conditional
        for (String header : List.of("If-None-Match", "If-Match")) {
            for (String condition : List.of("*", "\"1\"")) {
                Res res = http.send(method, app("nothing"), (byte[]) null, header, condition);
                assertStatus(res, 404);
                assertThat(res.header("ETag"), is(nullValue()));
            }
        }
    }

    // --- If-Match on GET and HEAD (RFC 9110 section 13.1.1: a read is conditional as a write is) ----------

    @ParameterizedTest
    @ValueSource(strings = {"GET", "HEAD"})
    void ifMatchThatDoesNotHoldIs412WithTheCurrentTag(String method) {
        String old = http.put("im", "{\"data\":1}").header("ETag");
        String tag = http.put("im", "{\"data\":2}").header("ETag");
        for (String condition : List.of(old, "W/" + tag, "\"0\", " + old)) {
            Res res = http.send(method, app("im"), (byte[]) null, "If-Match", condition);
            if (method.equals("GET")) {
                assertPreconditionFailed(res, tag);
            } else {
                assertStatus(res, 412);
                assertThat(condition, res.header("ETag"), is(tag));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET", "HEAD"})
    void ifMatchThatHoldsAnswersAsWithoutIt(String method) {
        String tag = http.put("im", "{\"data\":[3]}").header("ETag");
        for (String condition : List.of(tag, "*", "\"0\", " + tag)) {
            Res res = http.send(method, app("im"), (byte[]) null, "If-Match", condition);
            assertStatus(res, 200);
            assertThat(condition, res.header("ETag"), is(tag));
            if (method.equals("GET")) {
                assertJson(res, 200, "{\"name\":\"im\",\"data\":[3]}");
            } else {
                assertThat(condition, res.body().length, is(0));
            }
        }
        // then If-None-Match is evaluated as usual
        assertStatus(http.send(method, app("im"), (byte[]) null, "If-Match", tag, "If-None-Match", tag), 304);
    }

    @Test
    void ifMatchIsEvaluatedBeforeIfNoneMatchAndAFailingOneDoesNotWait() throws Exception {
        String tag = http.put("im", "{\"data\":4}").header("ETag");
        assertPreconditionFailed(http.get(app("im"), "If-Match", "\"0\"", "If-None-Match", tag), tag);
        // a long-poll of wait=300 whose If-Match fails answers at once, never after the test has given up on it
        CompletableFuture<Res> poll = CompletableFuture.supplyAsync(
                () -> http.get(app("im") + "?wait=300", "If-Match", "\"0\"", "If-None-Match", tag));
        assertPreconditionFailed(poll.get(60, TimeUnit.SECONDS), tag);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/",
                "/api/schema",
                "/api/apps",
                "/api/apps?prefix=team/&include=data&limit=1",
                "/api/apps/team/svc/config",
                "/api/apps/team%2Fsvc%2Fconfig",
                "/api/apps/nothing"
            })
    void headOnEveryGetRouteAnswersLikeGet(String path) {
        http.put("team/svc/config", "{\"data\":[1]}");
        http.put("team/z", "{\"data\":[2]}");
        Res get = http.get(path);
        Res head = http.send("HEAD", path, (byte[]) null);
        assertThat(head.describe(), head.status(), is(get.status()));
        assertThat(head.body().length, is(0));
        for (String header : List.of("Content-Type", "Content-Length", "ETag", "Location", "Link")) {
            assertThat(header, head.header(header), is(get.header(header)));
        }
    }

    // --- conditional writes -----------------------------------------------------------------------

    @Test
    void ifNoneMatchStarCreatesOnlyWhenMissing() {
        Res created = http.put("once", "{\"data\":1}", "If-None-Match", "*");
        assertStatus(created, 204);
        String tag = created.header("ETag");
        assertPreconditionFailed(http.put("once", "{\"data\":2}", "If-None-Match", "*"), tag);
        assertPreconditionFailed(http.put("once", "{\"data\":2}", "If-None-Match", "\"0\", *"), tag);
        assertValue("once", "1", tag);
        assertStatus(http.delete("once"), 204);
        Res recreated = http.put("once", "{\"data\":3}", "If-None-Match", "*");
        assertStatus(recreated, 204);
        assertThat(seq(recreated.header("ETag")), greaterThan(seq(tag)));
    }

    @Test
    void ifMatchUpdatesOnlyTheVersionNamed() {
        JsonObject missing = assertProblem(http.put("upd", "{\"data\":1}", "If-Match", "*"), 412);
        assertThat("no current version, so no etag", missing, not(hasKey("etag")));
        assertProblem(http.put("upd", "{\"data\":1}", "If-Match", "\"1\""), 412);
        assertProblem(http.get(app("upd")), 404);

        String v1 = http.put("upd", "{\"data\":1}").header("ETag");
        Res v2 = http.put("upd", "{\"data\":2}", "If-Match", "*");
        assertStatus(v2, 204);
        String tag = v2.header("ETag");
        assertPreconditionFailed(http.put("upd", "{\"data\":3}", "If-Match", v1), tag);
        assertPreconditionFailed(http.put("upd", "{\"data\":3}", "If-Match", "W/" + tag), tag); // weak never matches
        assertPreconditionFailed(http.put("upd", "{\"data\":3}", "If-Match", v1 + ", W/" + tag), tag);
        assertValue("upd", "2", tag);

        Res v3 = http.put("upd", "{\"data\":3}", "If-Match", v1 + ", " + tag);
        assertStatus(v3, 204);
        assertPreconditionFailed(http.put("upd", "{\"data\":4}", "If-Match", tag), v3.header("ETag"));
        Res v4 = http.put("upd", "{\"data\":4}", "If-Match", "\"0\"", "If-Match", v3.header("ETag"));
        assertStatus(v4, 204);
        assertValue("upd", "4", v4.header("ETag"));
    }

    @Test
    void ifNoneMatchWithTagsOnPutComparesWeakly() {
        String tag = http.put("nm", "{\"data\":1}").header("ETag");
        assertPreconditionFailed(http.put("nm", "{\"data\":2}", "If-None-Match", tag), tag);
        assertPreconditionFailed(http.put("nm", "{\"data\":2}", "If-None-Match", "W/" + tag), tag);
        assertPreconditionFailed(http.put("nm", "{\"data\":2}", "If-None-Match", "\"0\", " + tag), tag);
        Res ok = http.put("nm", "{\"data\":2}", "If-None-Match", "\"0\"");
        assertStatus(ok, 204);
        assertStatus(http.put("absent", "{\"data\":2}", "If-None-Match", tag), 204);
    }

    @Test
    void conditionalDelete() {
        String tag = http.put("del", "{\"data\":1}").header("ETag");
        assertPreconditionFailed(http.delete("del", "If-Match", "\"0\""), tag);
        assertPreconditionFailed(http.delete("del", "If-Match", "W/" + tag), tag);
        assertPreconditionFailed(http.delete("del", "If-None-Match", "*"), tag);
        assertPreconditionFailed(http.delete("del", "If-None-Match", tag), tag);
        assertValue("del", "1", tag);
        assertStatus(http.delete("del", "If-Match", tag), 204);
        assertProblem(http.get(app("del")), 404);

        assertProblem(http.delete("del", "If-Match", "*"), 412);
        assertProblem(http.delete("del", "If-Match", tag), 412);
        assertStatus(http.delete("del", "If-None-Match", "*"), 204);
        assertStatus(http.delete("del", "If-None-Match", tag), 204);

        String again = http.put("del", "{\"data\":2}").header("ETag");
        assertStatus(http.delete("del", "If-Match", "*"), 204);
        assertProblem(http.get(app("del")), 404);
        assertThat(seq(http.put("del", "{\"data\":3}").header("ETag")), is(seq(again) + 2));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "garbage",
                "17",
                "\"17",
                "17\"",
                "W/17",
                "w/\"17\"",
                "W/",
                "\"a\"b\"",
                "\"1\" \"2\"",
                "*garbage",
                "**",
                "W/ \"1\"",
                "'1'",
                "\"1\" garbage",
                "\"a b\"",
                "\"1\",\"2",
                "\"1\"\"2\"",
                "\"1\" ,x"
            })
    void malformedConditionHeaderIs400AndChangesNothing(String value) {
        String tag = http.put("mal", "{\"data\":1}").header("ETag");
        assertProblem(http.put("mal", "{\"data\":2}", "If-Match", value), 400);
        assertProblem(http.put("mal", "{\"data\":2}", "If-None-Match", value), 400);
        assertProblem(http.patch("mal", MERGE, "{\"data\":2}", "If-Match", value), 400);
        assertProblem(http.delete("mal", "If-Match", value), 400);
        assertProblem(http.delete("mal", "If-None-Match", value), 400);
        assertProblem(http.get(app("mal"), "If-None-Match", value), 400);
        assertProblem(http.put("mal", "{\"data\":2}", "If-Match", tag, "If-Match", value), 400);
        assertValue("mal", "1", tag);
    }

    /** RFC 9110: an entity-tag may hold commas ({@code etagc} is any visible ASCII but DQUOTE); only commas outside quotes separate. */
    @Test
    void aCommaInsideAnEntityTagIsPartOfTheTagNotASeparator() {
        String tag = http.put("comma", "{\"data\":1}").header("ETag");
        for (String other :
                List.of("\"a,b\"", "W/\"a,b\"", "\",\"", "\"" + seq(tag) + ",\"", "\"a,b\",\"c,\" , W/\",d\"")) {
            assertPreconditionFailed(http.put("comma", "{\"data\":2}", "If-Match", other), tag);
            assertPreconditionFailed(http.delete("comma", "If-Match", other), tag);
            assertJson(http.get(app("comma"), "If-None-Match", other), 200, "{\"name\":\"comma\",\"data\":1}");
            assertStatus(http.get(app("comma"), "If-None-Match", other + ", " + tag), 304);
        }
        assertValue("comma", "1", tag);
        Res matched = http.put("comma", "{\"data\":2}", "If-Match", "\"a,b\", " + tag);
        assertStatus(matched, 204);
        assertPreconditionFailed(
                http.put("comma", "{\"data\":3}", "If-None-Match", "\"x,y\"," + matched.header("ETag")),
                matched.header("ETag"));
        Res txn = http.send(
                "POST",
                "/api/txn",
                "[{\"op\":\"put\",\"name\":\"comma\",\"data\":3," + "\"if_match\":\"\\\"a,b\\\", "
                        + matched.header("ETag").replace("\"", "\\\"") + "\"}]",
                "Content-Type",
                TestClient.JSON);
        assertStatus(txn, 200);
        assertProblem(
                http.send(
                        "POST",
                        "/api/txn",
                        "[{\"op\":\"check\",\"name\":\"comma\",\"if_match\":\"\\\"a,b\\\"\"}]",
                        "Content-Type",
                        TestClient.JSON),
                412);
    }

    // --- racing conditional writers --------------------------------------------------------------

    private static final int ROUNDS = 50;
    private static final int WRITERS = 8;

    @ParameterizedTest
    @ValueSource(strings = {"PUT", "PATCH"})
    void exactlyOneOfRacingIfMatchWritersWins(String method) throws Exception {
        http.put("race", "{\"data\":{\"round\":-1}}");
        race(
                (round) -> {
                    String tag = http.get(app("race")).header("ETag");
                    return writer -> {
                        String value = "{\"round\":" + round + ",\"writer\":" + writer + "}";
                        return method.equals("PUT")
                                ? http.put("race", "{\"data\":" + value + "}", "If-Match", tag)
                                : http.patch("race", MERGE, "{\"data\":" + value + "}", "If-Match", tag);
                    };
                },
                "race",
                method.equals("PUT") ? 204 : 200);
    }

    @Test
    void exactlyOneOfRacingCreatorsWins() throws Exception {
        race(
                round -> writer -> http.put(
                        "create/" + round,
                        "{\"data\":{\"round\":" + round + ",\"writer\":" + writer + "}}",
                        "If-None-Match",
                        "*"),
                "create/",
                204);
    }

    /**
     * Runs {@link #ROUNDS} rounds; in each, {@link #WRITERS} threads send their write at the same moment
     * (after {@code round} has read what it needs). Exactly one write must win, the others get 412 with
     * the winner's ETag, and the app then holds the winner's value under the winner's ETag.
     */
    private void race(Function<Integer, Function<Integer, Res>> rounds, String name, int success) throws Exception {
        CyclicBarrier start = new CyclicBarrier(WRITERS);
        try (ExecutorService pool = Executors.newFixedThreadPool(WRITERS)) {
            for (int round = 0; round < ROUNDS; round++) {
                Function<Integer, Res> write = rounds.apply(round);
                List<Future<Res>> results = new ArrayList<>();
                for (int w = 0; w < WRITERS; w++) {
                    int writer = w;
                    results.add(pool.submit(() -> {
                        start.await();
                        return write.apply(writer);
                    }));
                }
                int winner = -1;
                String winnerTag = null;
                List<Res> losers = new ArrayList<>();
                for (int w = 0; w < WRITERS; w++) {
                    Res res = results.get(w).get();
                    if (res.status() == success) {
                        assertThat("round " + round + ": a second winner " + w, winner, is(-1));
                        winner = w;
                        winnerTag = res.header("ETag");
                    } else {
                        losers.add(res);
                    }
                }
                assertThat("round " + round + ": nobody won", winner, not(is(-1)));
                for (Res loser : losers) {
                    assertPreconditionFailed(loser, winnerTag);
                }
                String app = name.endsWith("/") ? name + round : name;
                assertValue(app, "{\"round\":" + round + ",\"writer\":" + winner + "}", winnerTag);
            }
        }
    }

    // --- helpers ----------------------------------------------------------------------------------

    /** 412, problem+json with the current ETag both as the {@code etag} member and as the ETag header. */
    private static void assertPreconditionFailed(Res res, String current) {
        JsonObject problem = assertProblem(res, 412);
        assertThat(res.describe(), problem.getString("etag"), is(current));
        assertThat(res.describe(), res.header("ETag"), is(current));
    }

    private void assertValue(String name, String data, String etag) {
        Res res = http.get(app(name));
        assertJson(res, 200, "{\"name\":" + TestClient.quote(name) + ",\"data\":" + data + "}");
        assertThat(res.header("ETag"), is(etag));
        assertThat(res.body().length, greaterThan(0));
        assertThat(utf8(res.text()).length, is(res.body().length));
    }
}
