package io.microstore.api.wire;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

import io.helidon.common.uri.UriEncoding;
import io.helidon.common.uri.UriQuery;
import io.helidon.http.BadRequestException;

/**
 * Reads query parameters the same way on every route: each at most once, with one spelling per kind of
 * value (a switch, true or false, a page limit, a wait, a name or cursor), so a parameter means the same
 * wherever it appears and is refused (400) with the same words.
 */
public final class QueryParams {
    /** The largest page: {@code limit} is 1 to this. */
    public static final int MAX_LIMIT = 10_000;
    /** The longest {@code wait}, in seconds. */
    public static final int MAX_WAIT_SECONDS = 300;

    private QueryParams() {}

    /**
     * The value of a parameter given at most once ("" when given without a value), or null; twice is
     * ambiguous, so a 400.
     */
    public static String single(UriQuery query, String name) {
        if (!query.contains(name)) {
            return null;
        }
        List<String> values = query.all(name);
        if (values.isEmpty()) {
            return ""; // "?name" without "=": Helidon holds no value for it
        }
        if (values.size() > 1) {
            throw new BadRequestException("the query parameter " + name + " is given " + values.size() + " times");
        }
        return values.getFirst();
    }

    /**
     * A switch such as {@code consistent}: {@code ?name} or {@code ?name=true} turns it on, {@code false}
     * or no parameter leaves it off.
     */
    public static boolean flag(UriQuery query, String name) {
        String value = single(query, name);
        if (value == null || value.equals("false")) {
            return false;
        }
        if (value.isEmpty() || value.equals("true")) {
            return true;
        }
        throw new BadRequestException(name + " must be given alone, 'true' or 'false', not '" + value + "'");
    }

    /** A parameter such as {@code overwrite} that is {@code true} or {@code false} (absent: false), nothing else. */
    public static boolean trueOrFalse(UriQuery query, String name) {
        String value = Objects.requireNonNullElse(single(query, name), "false");
        if (!value.equals("true") && !value.equals("false")) {
            throw new BadRequestException(name + " must be true or false, not '" + value + "'");
        }
        return value.equals("true");
    }

    /**
     * {@link #single} for a parameter that carries a name ({@code prefix}, and the cursor {@code after}):
     * decoded from the raw query as strictly as a name in the path ({@link PercentDecoder}), since Helidon's
     * value has invalid UTF-8 replaced by U+FFFD. {@code +} is a space, as Helidon reads it too.
     */
    public static String name(UriQuery query, String param) {
        String lenient = single(query, param); // present, and at most once
        if (lenient == null || lenient.isEmpty()) {
            return lenient;
        }
        for (String pair : query.rawValue().split("&")) {
            int eq = pair.indexOf('=');
            if (eq >= 0 && UriEncoding.decodeUri(pair.substring(0, eq)).equals(param)) { // the key as Helidon reads it
                return PercentDecoder.decodeQuery(pair.substring(eq + 1), param);
            }
        }
        throw new IllegalStateException("no raw value of " + param + " in " + query.rawValue());
    }

    /** {@code include=data}, or no include at all. */
    public static boolean includeData(UriQuery query) {
        String include = single(query, "include");
        if (include != null && !include.equals("data")) {
            throw new BadRequestException("include must be 'data', not '" + include + "'");
        }
        return include != null;
    }

    /** A page limit written as {@code value}: a whole number from 1 to {@link #MAX_LIMIT}. */
    public static int limit(String value) {
        if (value.matches("[0-9]{1,5}")) { // ASCII digits only: parseInt would take any Unicode digit
            int limit = Integer.parseInt(value);
            if (limit >= 1 && limit <= MAX_LIMIT) {
                return limit;
            }
        }
        throw new BadRequestException("limit must be a whole number from 1 to " + MAX_LIMIT + ", not '" + value + "'");
    }

    /** The {@code wait} parameter: how long to block for a change; zero when absent. */
    public static Duration waitTime(UriQuery query) {
        String wait = single(query, "wait");
        return wait == null ? Duration.ZERO : waitTime(wait);
    }

    /** A wait written as {@code value}: seconds from 0 to {@link #MAX_WAIT_SECONDS}, to the millisecond. */
    public static Duration waitTime(String value) {
        if (value.trim().matches("[0-9]{1,3}(\\.[0-9]{1,3})?")) {
            double seconds = Double.parseDouble(value.trim());
            if (seconds <= MAX_WAIT_SECONDS) {
                return Duration.ofMillis(Math.round(seconds * 1000));
            }
        }
        throw new BadRequestException(
                "wait must be a number of seconds from 0 to " + MAX_WAIT_SECONDS + ", not '" + value + "'");
    }
}
