package io.microstore.api.wire;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;

/**
 * HTTP-dates as RFC 9110 (5.6.7) has a sender write them: the IMF-fixdate, {@code Sun, 06 Nov 1994 08:49:37 GMT},
 * the day always in two digits. Java's {@code RFC_1123_DATE_TIME}, and Helidon's {@code Date} header written
 * with it, give days 1 to 9 one digit, which strict parsers of the fixed format refuse.
 */
public final class HttpDate {
    private static final DateTimeFormatter IMF_FIXDATE = DateTimeFormatter.ofPattern(
                    "EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ENGLISH)
            .withZone(ZoneOffset.UTC);

    /**
     * The {@code Date} header of the last second one was asked for: every response carries one, and within
     * a second they are all the same, so a response formats no date (a race only formats one twice).
     */
    private static volatile Stamp last = new Stamp(Long.MIN_VALUE, null);

    private HttpDate() {}

    /** The HTTP-date of the second that holds {@code epochMillis} (cut, not rounded). */
    public static String format(long epochMillis) {
        return IMF_FIXDATE.format(Instant.ofEpochMilli(epochMillis));
    }

    /** A {@code Date} header with the HTTP-date of the second that holds {@code epochMillis}. */
    public static Header dateHeader(long epochMillis) {
        long second = Math.floorDiv(epochMillis, 1000L);
        Stamp stamp = last;
        if (stamp.second() != second) {
            stamp = new Stamp(second, HeaderValues.create(HeaderNames.DATE, format(epochMillis)));
            last = stamp;
        }
        return stamp.header();
    }

    private record Stamp(long second, Header header) {}
}
