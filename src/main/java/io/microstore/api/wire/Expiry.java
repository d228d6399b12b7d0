package io.microstore.api.wire;

import java.time.Duration;
import java.time.InstantSource;

import io.helidon.common.uri.UriQuery;
import io.helidon.http.BadRequestException;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.ServerResponse;
import io.microstore.store.Entry;
import io.microstore.store.Store;

/**
 * A PUT's time to live ({@code ?ttl=SECONDS}) and the headers that show an app's expiry: {@code Expires}
 * (an HTTP-date, RFC 9110 5.6.7, cut to the second, so never later than the deadline) and {@code Expires-In}
 * (whole seconds left, rounded down), with {@code Cache-Control: no-cache} so that no HTTP cache (a
 * browser's) takes the {@code Expires} for a freshness lifetime and answers from its copy meanwhile; a
 * cache revalidates with the {@code ETag} instead. An app without a deadline has none of them.
 */
public final class Expiry {
    static final long MAX_TTL_SECONDS = Store.MAX_TTL.toSeconds();

    static final HeaderName EXPIRES_IN = HeaderNames.create("Expires-In");

    private Expiry() {}

    /** The {@code ttl} query parameter: a time to live of 1 to 2592000 seconds, or null when absent. */
    public static Duration ttl(UriQuery query) {
        String ttl = QueryParams.single(query, "ttl");
        return ttl == null ? null : ttl(ttl);
    }

    /**
     * Refuses a {@code ttl} parameter on a request that takes none (PATCH, which keeps the app's deadline,
     * and DELETE), as a transaction refuses a {@code ttl} member on any operation but a put: ignored, it
     * would look like a renewal that never happened.
     */
    public static void noTtl(UriQuery query, String method) {
        if (query.contains("ttl")) {
            throw new BadRequestException("ttl belongs to a PUT, not to a " + method
                    + " (a PATCH keeps the app's deadline; renew it with PUT ?ttl=)");
        }
    }

    /** A time to live of 1 to 2592000 seconds written as {@code ttl} (the parameter, or a transaction's member). */
    static Duration ttl(String ttl) {
        if (ttl.matches("[0-9]{1,7}")) { // ASCII digits only
            long seconds = Long.parseLong(ttl);
            if (seconds >= 1 && seconds <= MAX_TTL_SECONDS) {
                return Duration.ofSeconds(seconds);
            }
        }
        throw new BadRequestException(
                "ttl must be a whole number of seconds from 1 to " + MAX_TTL_SECONDS + " (30 days), not '" + ttl + "'");
    }

    /** Adds the expiry headers of {@code entry}, when it has a deadline, against {@code clock}'s time now. */
    public static void headers(ServerResponse res, Entry entry, InstantSource clock) {
        if (entry == null || entry.expires() <= 0) {
            return;
        }
        long left = Math.max(0, entry.expires() - clock.millis());
        res.header(HeaderValues.create(HeaderNames.EXPIRES, httpDate(entry.expires())));
        res.header(HeaderValues.create(EXPIRES_IN, left / 1000));
        res.header(HeaderValues.create(HeaderNames.CACHE_CONTROL, "no-cache"));
    }

    /** The HTTP-date of the second that holds {@code epochMillis}. */
    public static String httpDate(long epochMillis) {
        return HttpDate.format(epochMillis);
    }
}
