package io.microstore.api;

import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;

import io.helidon.http.DirectHandler;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.HttpException;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.http.UnauthorizedException;
import io.helidon.webserver.http.DirectHandlers;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.microstore.api.wire.HttpDate;
import io.microstore.json.BadPatch;
import io.microstore.json.JsonRefusal;
import io.microstore.json.JsonText;
import io.microstore.json.MalformedJson;
import io.microstore.json.PatchConflict;
import io.microstore.json.PatchRefused;
import io.microstore.json.RepeatedMember;
import io.microstore.store.AppNotFound;
import io.microstore.store.BadIndex;
import io.microstore.store.BadKey;
import io.microstore.store.BadTransaction;
import io.microstore.store.FeedBusy;
import io.microstore.store.FeedGone;
import io.microstore.store.Forbidden;
import io.microstore.store.ImportRejected;
import io.microstore.store.IndexConflict;
import io.microstore.store.IndexNotFound;
import io.microstore.store.IndexRequired;
import io.microstore.store.InvalidName;
import io.microstore.store.KeyConflict;
import io.microstore.store.KeyNotFound;
import io.microstore.store.NoSpace;
import io.microstore.store.OutcomeUnknown;
import io.microstore.store.PreconditionFailed;
import io.microstore.store.QueryRefusal;
import io.microstore.store.QuotaExceeded;
import io.microstore.store.Refusal;
import io.microstore.store.StoreBusy;
import io.microstore.store.StoreUnavailable;
import io.microstore.store.TxnRefused;
import io.microstore.store.ValueTooLarge;

/**
 * The one place where exceptions become HTTP answers: every error the service produces is an
 * {@code application/problem+json} body with the right status and headers.
 */
public final class Problems {
    private static final System.Logger LOG = System.getLogger(Problems.class.getName());
    /** RFC 4918's status for a store that is out of room (its quota, or its disk). */
    static final Status INSUFFICIENT_STORAGE_507 = Status.create(507, "Insufficient Storage");

    private Problems() {}

    /** Maps every exception thrown while routing, and Helidon's own 404 for unknown routes. */
    public static void register(HttpRouting.Builder routing) {
        routing.error(RuntimeException.class, Problems::handle);
    }

    /**
     * Problem bodies also for errors Helidon answers before routing (bad framing, a body over
     * {@code server.max-payload-size}, malformed headers or request lines), with a {@code Date} of
     * {@code clock} as an IMF-fixdate, as routed answers have ({@link DateHeader}).
     */
    public static DirectHandlers directHandlers(InstantSource clock) {
        DirectHandlers.Builder builder = DirectHandlers.builder();
        Direct direct = new Direct(clock);
        for (DirectHandler.EventType type : DirectHandler.EventType.values()) {
            builder.addHandler(type, direct);
        }
        return builder.build();
    }

    /** The problem for an exception: a refusal, an HTTP error, or (anything else) an internal error. */
    public static Problem of(Throwable e) {
        return switch (e) {
            case Refusal r -> of(r);
            case JsonRefusal j -> of(j);
            // The challenge goes with every 401: a key's bearer secret is the credential to send.
            case UnauthorizedException u ->
                new Problem(Status.UNAUTHORIZED_401, u.getMessage())
                        .with(HeaderValues.create(HeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"microstore\""));
            // Pure HTTP errors, Helidon's and ours (405, 413, 415, ...): their status and the headers they carry.
            case HttpException h -> httpError(h);
            default -> {
                LOG.log(System.Logger.Level.ERROR, "unexpected error", e);
                yield new Problem(
                        Status.INTERNAL_SERVER_ERROR_500,
                        "internal error: " + e.getClass().getSimpleName());
            }
        };
    }

    /** Every refusal of the store and its engines; no default, so a refusal nobody maps does not compile. */
    static Problem of(Refusal refusal) {
        return switch (refusal) {
            case InvalidName n -> new Problem(Status.BAD_REQUEST_400, n.getMessage());
            case AppNotFound n -> new Problem(Status.NOT_FOUND_404, n.getMessage());
            case PreconditionFailed p -> preconditionFailed(p);
            case TxnRefused t -> refused(t);
            case BadTransaction b -> new Problem(Status.BAD_REQUEST_400, b.getMessage());
            case StoreBusy b ->
                new Problem(Status.SERVICE_UNAVAILABLE_503, b.getMessage())
                        .with(HeaderValues.create(HeaderNames.RETRY_AFTER, 1));
            case StoreUnavailable u ->
                u.retryAfterSeconds() > 0
                        ? new Problem(Status.SERVICE_UNAVAILABLE_503, u.getMessage())
                                .with(HeaderValues.create(HeaderNames.RETRY_AFTER, u.retryAfterSeconds()))
                        : new Problem(Status.SERVICE_UNAVAILABLE_503, u.getMessage());
            case OutcomeUnknown u ->
                new Problem(
                        Status.SERVICE_UNAVAILABLE_503,
                        "the write may or may not have been " + "applied (" + u.getMessage()
                                + "); check with a GET before retrying");
            case QuotaExceeded q ->
                new Problem(INSUFFICIENT_STORAGE_507, q.getMessage())
                        .with("used", q.used())
                        .with("limit", q.limit());
            case NoSpace n ->
                new Problem(INSUFFICIENT_STORAGE_507, n.getMessage()) // the engine looks for room every second
                        .with(HeaderValues.create(HeaderNames.RETRY_AFTER, 1));
            case ValueTooLarge v -> new Problem(Status.REQUEST_ENTITY_TOO_LARGE_413, v.getMessage());
            case ImportRejected r ->
                r.conflicts().isEmpty()
                        ? new Problem(Status.BAD_REQUEST_400, r.getMessage())
                        : new Problem(Status.CONFLICT_409, r.getMessage());
            case QueryRefusal q -> new Problem(Status.BAD_REQUEST_400, q.getMessage());
            case IndexRequired i -> indexRequired(i);
            case BadIndex b -> new Problem(Status.BAD_REQUEST_400, b.getMessage());
            case IndexConflict c -> new Problem(Status.CONFLICT_409, c.getMessage());
            case IndexNotFound n -> new Problem(Status.NOT_FOUND_404, n.getMessage());
            // One fixed detail: it names no rule, and is the same whether or not the app exists.
            case Forbidden f -> new Problem(Status.FORBIDDEN_403, Forbidden.DETAIL);
            case BadKey b -> new Problem(Status.BAD_REQUEST_400, b.getMessage());
            case KeyConflict c -> new Problem(Status.CONFLICT_409, c.getMessage());
            case KeyNotFound n -> new Problem(Status.NOT_FOUND_404, n.getMessage());
            case FeedGone g -> new Problem(Status.GONE_410, g.getMessage()).with("last_seq", g.lastSeq());
            case FeedBusy b ->
                new Problem(Status.SERVICE_UNAVAILABLE_503, b.getMessage())
                        .with(HeaderValues.create(HeaderNames.RETRY_AFTER, 5));
        };
    }

    /** Every refusal of a JSON text or patch; no default either. */
    static Problem of(JsonRefusal refusal) {
        return switch (refusal) {
            case MalformedJson m ->
                new Problem(Status.BAD_REQUEST_400, "the body is not valid JSON: " + m.getMessage())
                        .with("offset", m.offset());
            case RepeatedMember r -> new Problem(Status.BAD_REQUEST_400, r.getMessage());
            case BadPatch b -> new Problem(Status.BAD_REQUEST_400, b.getMessage());
            case PatchConflict c -> new Problem(Status.CONFLICT_409, c.getMessage());
            case PatchRefused r -> new Problem(Status.UNPROCESSABLE_CONTENT_422, r.getMessage());
        };
    }

    /** Sends {@code problem}: its status, headers and body. */
    public static void send(ServerRequest req, ServerResponse res, Problem problem) {
        res.status(problem.status());
        res.header(Problem.CONTENT_TYPE);
        problem.headers().forEach(res::header);
        Responses.send(req, res, problem.body());
    }

    private static Problem httpError(HttpException h) {
        Problem problem = new Problem(h.status(), h.getMessage());
        for (Header header : h.headers()) {
            problem = problem.with(header);
        }
        return problem;
    }

    /**
     * A query beyond the scan budget: the detail says what fixes it, and the member {@code request} is the request
     * that declares the index, e.g. {@code PUT /api/indexes/status {"paths": ["/status"]}}.
     */
    private static Problem indexRequired(IndexRequired i) {
        List<String> quoted = new ArrayList<>();
        for (String path : i.paths()) { // a pointer may hold a comma or a quote: each is a JSON string
            quoted.add(new String(JsonText.quote(path), StandardCharsets.UTF_8));
        }
        String paths = quoted.isEmpty() ? "the paths the where selector tests" : String.join(", ", quoted);
        String id = i.id() == null ? "<id>" : i.id();
        String request = "PUT " + Route.INDEXES.path() + "/" + id + " {\"paths\": [" + paths + "]}";
        String detail = i.indexServes()
                ? i.getMessage() + "; an index serves it: " + request + " (or narrow it with prefix)"
                : i.getMessage() + ": narrow it with prefix, or page through it without count=exact";
        return new Problem(Status.UNPROCESSABLE_CONTENT_422, detail)
                .with("type", "index-required")
                .with("request", request);
    }

    private static Problem preconditionFailed(PreconditionFailed p) {
        Problem problem = new Problem(Status.PRECONDITION_FAILED_412, p.getMessage());
        String etag = p.currentEtag();
        return etag == null ? problem : problem.with("etag", etag).with(Responses.etag(etag));
    }

    /**
     * A transaction refused for one of its operations: the problem that operation alone would get, its
     * detail prefixed with the operation's index, and the member {@code index}; no ETag header (the
     * response is not about one app: the {@code etag} member of a 412 carries that app's).
     */
    private static Problem refused(TxnRefused t) {
        Problem alone = of(t.reason());
        List<Header> headers = alone.headers().stream()
                .filter(h -> !h.name().equalsIgnoreCase(HeaderNames.ETAG.defaultCase()))
                .toList();
        return new Problem(
                        alone.status(), "operation " + t.index() + ": " + alone.detail(), alone.extensions(), headers)
                .with("index", t.index());
    }

    /**
     * Answers {@code e} with its problem: the routing's error handler, and how the filters in front of the
     * services (the flood limits) answer what they refuse.
     */
    public static void handle(ServerRequest req, ServerResponse res, RuntimeException e) {
        Problem problem = e instanceof HttpException h && h.status().code() == Status.NOT_FOUND_404.code()
                ? new Problem(
                        Status.NOT_FOUND_404,
                        "no route for " + req.prologue().method().text() + " "
                                + req.path().rawPath())
                : of(e);
        send(req, res, problem);
    }

    /**
     * Answers Helidon's own errors with problem+json. Helidon reports an error while parsing a request
     * line or headers (e.g. an illegal character in the method) as an internal error, through the
     * message variant of {@code handle}; that is the client's malformed request, so a 400. Errors
     * that escaped routing come through the throwable variant and keep their status.
     */
    private static final class Direct implements DirectHandler {
        private final InstantSource clock;

        Direct(InstantSource clock) {
            this.clock = clock;
        }

        @Override
        public TransportResponse handle(
                TransportRequest request,
                EventType type,
                Status status,
                ServerResponseHeaders headers,
                Throwable thrown) {
            return respond(status, headers, thrown == null ? null : thrown.getMessage());
        }

        @Override
        public TransportResponse handle(
                TransportRequest request,
                EventType type,
                Status status,
                ServerResponseHeaders headers,
                String message) {
            if (type == EventType.INTERNAL_ERROR) {
                return respond(Status.BAD_REQUEST_400, headers, "the request line or headers could not be parsed");
            }
            return respond(status, headers, message);
        }

        private TransportResponse respond(Status status, ServerResponseHeaders headers, String message) {
            String detail = status.code() == Status.REQUEST_ENTITY_TOO_LARGE_413.code()
                    ? "the request body is larger than server.max-payload-size"
                    : message == null || message.isBlank() ? status.reasonPhrase() : message;
            TransportResponse.Builder response = TransportResponse.builder()
                    .status(status)
                    .headers(headers)
                    .header(Problem.CONTENT_TYPE)
                    .header(HttpDate.dateHeader(clock.millis()))
                    .entity(new Problem(status, detail).body());
            if (status.code() == Status.SERVICE_UNAVAILABLE_503.code()) {
                // server.max-concurrent-requests reached: the requests in progress end soon
                response.header(HeaderValues.create(HeaderNames.RETRY_AFTER, 1));
            }
            return response.build();
        }
    }
}
