package io.microstore.api;

import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.regex.Pattern;

import io.microstore.api.wire.HttpDate;
import io.microstore.local.LocalEngine;
import io.microstore.persist.MemoryPersistence;
import io.microstore.store.Store;
import io.microstore.testing.ServerTestBase;
import io.microstore.testing.Stores;
import io.microstore.testing.TestClient.Res;
import io.microstore.testing.TestClock;
import io.microstore.testing.TestServer;
import org.junit.jupiter.api.Test;

import static io.microstore.testing.TestClient.JSON;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;

/**
 * The {@code Date} header is an IMF-fixdate (RFC 9110 5.6.7: {@code Sun, 06 Dec 2026 05:30:00 GMT}, the day in
 * two digits) on every answer: routed ones whatever answers them (a handler, a refusal, an unknown route, the
 * observe endpoints) and those Helidon answers before routing. On the local engine the store's clock stands
 * at the 6th of a month, so the test does not depend on today's date: Helidon's own header reads
 * {@code Sun, 6 Dec 2026}. On etcd the clock is the system's and only the form is checked.
 */
class DateHeaderTest extends ServerTestBase {
    /** RFC 9110's IMF-fixdate, exactly. */
    private static final Pattern IMF_FIXDATE = Pattern.compile("(Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} "
            + "(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT");
    /** A Sunday, the 6th: a quarter second past a whole one, so that cutting to the second shows. */
    private static final Instant SIXTH = Instant.parse("2026-12-06T05:30:00.250Z");

    private static final String SIXTH_DATE = "Sun, 06 Dec 2026 05:30:00 GMT";

    private boolean local;

    @Override
    protected Store openStore() throws IOException {
        if (Stores.etcdEngine()) {
            return newStore(FEED);
        }
        local = true;
        return Store.open(new LocalEngine(new MemoryPersistence(), Stores.LOCAL, new TestClock(SIXTH)), FEED);
    }

    @Test
    void theFormatterWritesTheDayInTwoDigitsWhereRfc1123WritesOne() {
        assertThat(HttpDate.format(SIXTH.toEpochMilli()), is(SIXTH_DATE));
        assertThat(IMF_FIXDATE.matcher(HttpDate.format(SIXTH.toEpochMilli())).matches(), is(true));
        // what Helidon's Date header is written with
        assertThat(
                DateTimeFormatter.RFC_1123_DATE_TIME.format(SIXTH.atOffset(ZoneOffset.UTC)),
                is("Sun, 6 Dec 2026 05:30:00 GMT"));
        assertThat(
                HttpDate.format(Instant.parse("2026-01-01T00:00:00Z").toEpochMilli()),
                is("Thu, 01 Jan 2026 00:00:00 GMT"));
        assertThat(
                HttpDate.format(Instant.parse("1999-12-31T23:59:59.999Z").toEpochMilli()),
                is("Fri, 31 Dec 1999 23:59:59 GMT"));
    }

    @Test
    void theHeaderKeptForASecondIsThatSecondsDate() {
        long millis = SIXTH.toEpochMilli();
        assertThat(HttpDate.dateHeader(millis).get(), is(SIXTH_DATE));
        assertThat(HttpDate.dateHeader(millis + 749).get(), is(SIXTH_DATE));
        assertThat(HttpDate.dateHeader(millis + 750).get(), is("Sun, 06 Dec 2026 05:30:01 GMT"));
        assertThat(HttpDate.dateHeader(millis).get(), is(SIXTH_DATE));
    }

    @Test
    void everyRoutedAnswerCarriesAnImfFixdate() {
        http.putApp("config", "{\"color\":\"blue\"}");
        assertDate(http.get("/api/apps"), 200);
        assertDate(http.get("/api/apps/config"), 200);
        assertDate(http.send("HEAD", "/api/apps/config", (byte[]) null), 200);
        assertDate(http.putApp("other", "1"), 204);
        assertDate(http.patch("config", JSON, "{}"), 415);
        assertDate(http.putApp("config", "2", "If-Match", "\"1000000\""), 412);
        assertDate(http.get("/api/apps/missing"), 404);
        assertDate(http.get("/api/apps?limit=0"), 400);
        assertDate(http.get("/api/nothing-here"), 404);
        assertDate(http.send("POST", "/api/apps/config", "{}", "Content-Type", JSON), 405);
        assertDate(http.get("/api/changes?since=0&limit=1"), 200);
        assertDate(http.get("/api/schema"), 200);
        assertDate(http.get("/observe/health"), 200);
    }

    @Test
    void aFilterRefusingTheRequestSendsAnImfFixdate() {
        try (TestServer secured = startServer("security.token", "secret")) {
            assertDate(secured.http().get("/api/apps"), 401);
        }
    }

    @Test
    void anAnswerBeforeRoutingCarriesAnImfFixdate() {
        assertDate(http.raw("G@T /api/apps HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"), 400);
    }

    private void assertDate(Res res, int status) {
        assertThat(res.describe(), res.status(), is(status));
        List<String> dates = res.headers("Date");
        assertThat(res.describe(), dates, hasSize(1));
        assertThat(res.describe(), IMF_FIXDATE.matcher(dates.getFirst()).matches(), is(true));
        if (local) {
            assertThat(res.describe(), dates, contains(SIXTH_DATE));
        }
    }
}
