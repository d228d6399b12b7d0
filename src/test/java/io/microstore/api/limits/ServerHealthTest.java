package io.microstore.api.limits;

import java.time.Duration;

import io.microstore.testing.Eventually;
import io.microstore.testing.ServerTestBase;
import io.microstore.testing.TestClient.Res;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

import static io.microstore.testing.TestClient.assertStatus;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

/**
 * {@code /observe/health}'s {@code server} check: UP while the deadline watchdog runs, DOWN with the
 * reason once it has ended, so the header and body time limits never stop being enforced unseen.
 */
class ServerHealthTest extends ServerTestBase {
    @Test
    void theServerCheckIsUpWhileTheDeadlineWatchdogRuns() {
        assertThat(serverCheck(200).getString("status"), is("UP"));
        assertStatus(http.get("/observe/health/live"), 200);
    }

    @Test
    void aDeadlineWatchdogThatHasEndedMakesHealthDownWithTheReason() throws InterruptedException {
        Thread watchdog = Deadline.watchdogThread();
        try {
            watchdog.interrupt(); // nothing else ends it: its loop survives what it throws
            watchdog.join(Duration.ofSeconds(10).toMillis());
            assertThat("the watchdog has ended", watchdog.isAlive(), is(false));
            JsonObject check = serverCheck(503);
            assertThat(check.toString(), check.getString("status"), is("DOWN"));
            assertThat(
                    check.toString(),
                    check.getJsonObject("data").getString("failure"),
                    containsString("(thread microstore-deadlines) has stopped"));
            assertStatus(http.get("/observe/health/live"), 503);
        } finally {
            Deadline.replaceWatchdog(); // the other tests of this JVM need their time limits
        }
        Eventually.await(
                "health is up again with a new watchdog",
                Duration.ofSeconds(10),
                () -> http.get("/observe/health").status() == 200);
    }

    /** GETs /observe/health, checks its status code and returns the "server" check. */
    private JsonObject serverCheck(int status) {
        Res res = http.get("/observe/health");
        assertStatus(res, status);
        return res.json().asJsonObject().getJsonArray("checks").stream()
                .map(v -> v.asJsonObject())
                .filter(c -> c.getString("name").equals("server"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no server check in " + res.describe()));
    }
}
