package io.microstore.api.access;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.microstore.local.LocalEngine;
import io.microstore.persist.MemoryPersistence;
import io.microstore.store.Command;
import io.microstore.store.Precondition;
import io.microstore.store.Store;
import io.microstore.testing.ServerTestBase;
import io.microstore.testing.Stores;
import io.microstore.testing.TestClient;
import io.microstore.testing.TestClient.Res;
import io.microstore.testing.TestClock;
import io.microstore.testing.TestServer;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.microstore.testing.TestClient.assertProblem;
import static io.microstore.testing.TestClient.assertStatus;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/**
 * The failed-authentication limit over HTTP: a server on 127.0.0.1 with {@code security.token} and
 * {@code security.max-failures: 3}, and clients that bind 127.0.0.2 or 127.0.0.3 as their own address
 * besides the usual 127.0.0.1, so that the server sees three client addresses. Time is the store's
 * {@link TestClock}, moved on by the tests instead of waiting a minute. Each test starts its own server,
 * so no test inherits another's failures.
 */
class FailedAuthLimitTest extends ServerTestBase {
    private static final String TOKEN = "limit-Secret_7";
    private static final String RIGHT = "Bearer " + TOKEN;
    private static final String WRONG = "Bearer guess";
    private static final int MAX = 3;
    private static final HttpClient FROM_2 = clientAt("127.0.0.2");
    private static final HttpClient FROM_3 = clientAt("127.0.0.3");
    private static final Pattern LIMITED = Pattern.compile("(?m)^microstore_auth_limited_total\\S* (\\S+)$");

    private TestClock clock;

    @Override
    protected Store openStore() throws IOException {
        clock = new TestClock();
        return Store.open(new LocalEngine(new MemoryPersistence(), Stores.LOCAL, clock), FEED);
    }

    /** One app, "a", written directly (not through the API under test). */
    @BeforeEach
    void oneApp() {
        store.execute(new Command.Put("a", "{\"x\":1}".getBytes(StandardCharsets.UTF_8), Precondition.NONE));
    }

    private TestServer limited(String... more) {
        String[] settings = {"security.token", TOKEN, "security.max-failures", String.valueOf(MAX)};
        String[] all = new String[settings.length + more.length];
        System.arraycopy(settings, 0, all, 0, settings.length);
        System.arraycopy(more, 0, all, settings.length, more.length);
        return startServer(all);
    }

    @Test
    void afterMaxFailuresTheAddressGets429WithRetryAfterEvenWithTheRightKey() {
        TestClient http = limited().http();
        for (int i = 0; i < MAX; i++) {
            assertStatus(get(http, FROM_2, "/api/apps/a", WRONG), 401);
        }
        Res guess = get(http, FROM_2, "/api/apps/a", WRONG);
        JsonObject problem = assertProblem(guess, 429);
        assertThat(problem.getString("title"), is("Too Many Requests"));
        assertThat(
                problem.getString("detail"),
                is("too many failed authentications from this address; try again in 60 s"));
        assertThat(guess.describe(), guess.header("Retry-After"), is("60")); // the clock stood still: a full minute
        assertThat(guess.describe(), guess.text(), not(containsString(TOKEN)));
        Res right = put(http, FROM_2, "b", RIGHT);
        assertProblem(right, 429);
        assertThat(right.describe(), right.header("Retry-After"), is("60"));
        assertThat("a refused write stored nothing", store.get("b") == null, is(true));
        assertThat(store.size(), is(1));
    }

    @Test
    void onlyThatAddressIsLimitedAndTheRightKeyStillWorksFromAnother() {
        TestClient http = limited().http();
        for (int i = 0; i <= MAX; i++) {
            get(http, FROM_2, "/api/apps/a", WRONG);
        }
        assertStatus(get(http, FROM_2, "/api/apps/a", RIGHT), 429);
        assertStatus(http.get("/api/apps/a", "Authorization", RIGHT), 200); // from 127.0.0.1
        assertStatus(put(http, FROM_3, "b", RIGHT), 204);
        assertStatus(get(http, FROM_3, "/api/apps/a", WRONG), 401); // its own count, not 127.0.0.2's
    }

    @Test
    void retryAfterCountsDownAndTheWindowEnds() {
        TestClient http = limited().http();
        for (int i = 0; i < MAX; i++) {
            assertStatus(get(http, FROM_2, "/api/apps/a", WRONG), 401);
        }
        clock.advance(Duration.ofMillis(30_500));
        Res res = get(http, FROM_2, "/api/apps/a", RIGHT);
        assertStatus(res, 429);
        assertThat(res.describe(), res.header("Retry-After"), is("30")); // 29.5 s, rounded up
        clock.advance(Duration.ofMillis(29_499));
        assertThat(get(http, FROM_2, "/api/apps/a", RIGHT).header("Retry-After"), is("1"));
        clock.advance(Duration.ofMillis(1));
        assertStatus(get(http, FROM_2, "/api/apps/a", RIGHT), 200);
    }

    /** At most MAX failures in any window: the address may try again once the oldest has left it, not before. */
    @Test
    void theWindowSlides() {
        TestClient http = limited().http();
        for (int i = 0; i < MAX; i++) {
            assertStatus(get(http, FROM_2, "/api/apps/a", WRONG), 401);
            clock.advance(Duration.ofSeconds(20));
        }
        // failures at 0, 20 and 40 s; now 60 s: the first has left the window, so one more try
        assertStatus(get(http, FROM_2, "/api/apps/a", WRONG), 401);
        Res res = get(http, FROM_2, "/api/apps/a", WRONG);
        assertStatus(res, 429);
        assertThat(res.describe(), res.header("Retry-After"), is("20")); // until the one at 20 s leaves
    }

    @Test
    void requestsWithoutCredentialsAreNeitherCountedNorRefused() {
        TestClient http = limited().http();
        for (int i = 0; i < 3 * MAX; i++) {
            assertStatus(get(http, FROM_2, "/api/apps/a", null), 401);
        }
        assertStatus(get(http, FROM_2, "/api/apps/a", RIGHT), 200);
        for (int i = 0; i <= MAX; i++) {
            get(http, FROM_2, "/api/apps/a", WRONG);
        }
        assertStatus(get(http, FROM_2, "/api/apps/a", null), 401); // not 429: it tries nothing
    }

    @Test
    void theSchemaAndPreflightsStayOpenToALimitedAddress() {
        TestClient http =
                limited("cors.allow-origins", "https://app.example.com").http();
        for (int i = 0; i <= MAX; i++) {
            get(http, FROM_2, "/api/apps/a", WRONG);
        }
        assertStatus(get(http, FROM_2, "/api/apps/a", RIGHT), 429);
        assertStatus(get(http, FROM_2, "/api/schema", RIGHT), 200);
        assertStatus(get(http, FROM_2, "/observe/health", RIGHT), 200);
        Res preflight = http.send(
                FROM_2,
                "OPTIONS",
                "/api/apps/a",
                null,
                "Origin",
                "https://app.example.com",
                "Access-Control-Request-Method",
                "PUT",
                "Authorization",
                RIGHT);
        assertThat(preflight.describe(), preflight.status(), is(204));
        // the 429 itself carries CORS headers, so that a page can read Retry-After
        Res cors = http.send(
                FROM_2, "GET", "/api/apps/a", null, "Origin", "https://app.example.com", "Authorization", RIGHT);
        assertStatus(cors, 429);
        assertThat(cors.describe(), cors.header("Access-Control-Allow-Origin"), is("https://app.example.com"));
    }

    @Test
    void the429sAreCountedInTheMetrics() {
        TestClient http = limited().http();
        double before = limitedCount(http);
        for (int i = 0; i < MAX + 2; i++) {
            get(http, FROM_2, "/api/apps/a", WRONG);
        }
        assertThat(limitedCount(http), is(before + 2));
    }

    @Test
    void zeroMaxFailuresTurnsTheLimitOff() {
        TestClient http = limited("security.max-failures", "0").http();
        for (int i = 0; i < 5 * MAX; i++) {
            assertStatus(get(http, FROM_2, "/api/apps/a", WRONG), 401);
        }
        assertStatus(get(http, FROM_2, "/api/apps/a", RIGHT), 200);
    }

    /** Memory is bounded: beyond failure-addresses, the address whose last failure is the oldest is forgotten. */
    @Test
    void beyondFailureAddressesTheOldestAddressIsForgotten() {
        TestClient http = limited("security.failure-addresses", "1").http();
        for (int i = 0; i <= MAX; i++) {
            get(http, FROM_2, "/api/apps/a", WRONG);
        }
        assertStatus(get(http, FROM_2, "/api/apps/a", RIGHT), 429);
        clock.advance(Duration.ofMillis(1));
        assertStatus(get(http, FROM_3, "/api/apps/a", WRONG), 401); // a second address: 127.0.0.2 is evicted
        assertStatus(get(http, FROM_2, "/api/apps/a", RIGHT), 200);
    }

    @Test
    void xForwardedForIsIgnoredUnlessThePeerIsATrustedProxy() {
        TestClient http = limited().http();
        for (int i = 0; i <= MAX; i++) { // a guesser that names a new address each time
            get(http, FROM_2, "/api/apps/a", WRONG, "X-Forwarded-For", "10.9.0." + i);
        }
        assertStatus(get(http, FROM_2, "/api/apps/a", RIGHT, "X-Forwarded-For", "10.9.1.1"), 429);
    }

    @Test
    void behindATrustedProxyTheClientIsTheAddressItForwardsFor() {
        TestClient http =
                limited("security.trusted-proxies", "127.0.0.2, 10.0.0.0/8").http();
        for (int i = 0; i <= MAX; i++) {
            // what the client wrote first is not believed: the walk starts from the right, past trusted hops
            get(http, FROM_2, "/api/apps/a", WRONG, "X-Forwarded-For", "1.1.1." + i + ", 192.0.2.7, 10.1.2.3");
        }
        assertStatus(get(http, FROM_2, "/api/apps/a", RIGHT, "X-Forwarded-For", "192.0.2.7"), 429);
        assertStatus(get(http, FROM_2, "/api/apps/a", RIGHT, "X-Forwarded-For", "192.0.2.8"), 200);
        assertStatus(get(http, FROM_2, "/api/apps/a", RIGHT), 200); // the proxy itself, as a client, is not limited
        assertStatus(get(http, FROM_3, "/api/apps/a", RIGHT, "X-Forwarded-For", "192.0.2.7"), 200); // not trusted
    }

    @Test
    void ipv6AddressesCountByTheirSlash64() throws UnknownHostException {
        assertThat(
                FailedAuthLimit.key(InetAddress.getByName("2001:db8:1:2:aaaa::1")),
                is(FailedAuthLimit.key(InetAddress.getByName("2001:db8:1:2:bbbb::9"))));
        assertThat(
                FailedAuthLimit.key(InetAddress.getByName("2001:db8:1:3::1")),
                not(is(FailedAuthLimit.key(InetAddress.getByName("2001:db8:1:2::1")))));
        assertThat(FailedAuthLimit.key(InetAddress.getByName("192.0.2.1")), is(InetAddress.getByName("192.0.2.1")));
    }

    private static Res get(TestClient http, HttpClient from, String path, String authorization, String... more) {
        String[] headers = authorization == null ? more : concat(more, "Authorization", authorization);
        return http.send(from, "GET", path, null, headers);
    }

    private static Res put(TestClient http, HttpClient from, String name, String authorization) {
        return http.send(
                from,
                "PUT",
                "/api/apps/" + name,
                "{\"data\":1}".getBytes(StandardCharsets.UTF_8),
                "Content-Type",
                TestClient.JSON,
                "Authorization",
                authorization);
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = new String[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    private static double limitedCount(TestClient http) {
        String text = http.get("/observe/metrics", "Accept", "text/plain").text();
        Matcher m = LIMITED.matcher(text);
        assertThat(text, m.find(), is(true));
        return Double.parseDouble(m.group(1));
    }

    /** A client whose connections leave from {@code address}: another client address, as the server sees it. */
    static HttpClient clientAt(String address) {
        try {
            return HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .localAddress(InetAddress.getByName(address))
                    .build();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
