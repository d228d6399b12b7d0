package io.microstore.api.access;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.microstore.api.Problems;
import io.microstore.api.Route;

/**
 * Slows down guessing of secrets: once {@code maxFailures} requests that carried credentials (an
 * {@code Authorization} header) were answered 401 from one client address within {@code window}, every
 * further {@code /api} request from that address that carries credentials gets 429 with {@code Retry-After}, the
 * seconds until the oldest of those failures leaves the window, and never reaches the authentication or
 * the store. A right key from that address is refused too until then: otherwise the 429 would only
 * cost a guesser the guesses that fail, and a right one would still get through. Other addresses go on
 * as before, and requests without credentials are never refused here (they guess nothing; a 401 for
 * one is not counted, so a client that forgot its key does not lock out its address).
 *
 * <p>A window that slides: at most {@code maxFailures} failures count in any {@code window}, each
 * address keeping the times of its last {@code maxFailures}. IPv6 addresses count by their /64, the
 * block one host usually has to itself. At most {@code maxAddresses} are kept; a new one beyond that
 * evicts the one whose last failure is the oldest. Requests in progress at once from one address may
 * all be let in before the first of them fails: the limit is exact for one connection at a time.
 */
public final class FailedAuthLimit implements Filter {
    private final int maxFailures;
    private final long windowMillis;
    private final ClientAddress clients;
    private final InstantSource clock;
    private final Map<InetAddress, Failures> failures;
    private final LongAdder limited = new LongAdder();
    /** False until a first failure: most servers never see one, and then no request takes the lock. */
    private volatile boolean anyFailure;

    public FailedAuthLimit(
            int maxFailures, Duration window, int maxAddresses, ClientAddress clients, InstantSource clock) {
        if (maxFailures < 1 || maxAddresses < 1 || window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("a limit needs positive failures, addresses and window");
        }
        this.maxFailures = maxFailures;
        this.windowMillis = window.toMillis();
        this.clients = clients;
        this.clock = clock;
        this.failures = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<InetAddress, Failures> eldest) {
                return size() > maxAddresses;
            }
        };
    }

    /** Requests answered 429 here since start. */
    public long limited() {
        return limited.sum();
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        Optional<InetAddress> client = clients.of(req);
        if (client.isEmpty() || !attempt(req)) {
            chain.proceed();
            return;
        }
        InetAddress key = key(client.get());
        long wait = anyFailure ? waitMillis(key, clock.millis()) : 0;
        if (wait > 0) {
            limited.increment();
            // Rounded up: a client that waits the seconds it is told finds the oldest failure gone.
            Problems.send(req, res, Problems.of(new TooManyFailedAuthentications((wait + 999) / 1000)));
            return;
        }
        // Counted before the 401 leaves, not after: a client that sends its next guess as soon as it has the
        // answer must find this one counted. Also when the 401 is thrown and the error handler sends it.
        res.beforeSend(() -> {
            if (res.status().code() == Status.UNAUTHORIZED_401.code()) {
                failed(key, clock.millis());
            }
        });
        chain.proceed();
    }

    /**
     * A request that tries credentials where they count: an {@code Authorization} header on an
     * {@code /api} route but the schema, not a CORS preflight (browsers send those without credentials).
     */
    private static boolean attempt(RoutingRequest req) {
        if (!req.headers().contains(HeaderNames.AUTHORIZATION) || req.prologue().method() == Method.OPTIONS) {
            return false;
        }
        String path = req.path().absolute().path();
        return (path.equals(Route.API) || path.startsWith(Route.API + "/")) && !path.equals(Route.SCHEMA.path());
    }

    /** How long {@code key} must still wait, in milliseconds; 0 when it may try. */
    private synchronized long waitMillis(InetAddress key, long now) {
        Failures recent = failures.get(key);
        return recent == null ? 0 : Math.max(0, recent.freeAt(windowMillis) - now);
    }

    private synchronized void failed(InetAddress key, long now) {
        Failures recent = failures.remove(key); // put again below: the map's order is that of the last failure
        if (recent == null) {
            recent = new Failures(maxFailures);
        }
        recent.add(now);
        failures.put(key, recent);
        anyFailure = true;
    }

    /** What counts as one client: an IPv4 address, or an IPv6 address's /64. */
    static InetAddress key(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (bytes.length != 16) {
            return address;
        }
        Arrays.fill(bytes, 8, 16, (byte) 0);
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) { // 16 bytes are always an address
            throw new IllegalStateException(e);
        }
    }

    /** The times of an address's last failures, at most the limit's count of them, in a ring. */
    private static final class Failures {
        private final long[] times;
        private int next;
        private int count;

        Failures(int capacity) {
            times = new long[capacity];
        }

        void add(long time) {
            times[next] = time;
            next = (next + 1) % times.length;
            count = Math.min(count + 1, times.length);
        }

        /** When the address may try again: once the oldest of a full ring leaves the window; 0 if not full. */
        long freeAt(long windowMillis) {
            return count < times.length ? 0 : times[next] + windowMillis;
        }
    }
}
