package io.microstore.etcd.gateway;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLException;

import jakarta.json.JsonException;
import jakarta.json.JsonObject;

/**
 * {@link EtcdClient} over etcd's v3 JSON gateway (grpc-gateway on each member's client port), on HTTP/1.1
 * connections of its own ({@link Http1Connections}): unary calls on kept-alive ones, each watch on one
 * of its own. One endpoint is used at a time; the next one is tried when a request certainly did not
 * reach the store (no connection, "no leader"), and for reads on any failure. It never resends a POST
 * by itself, so a write is sent at most once per call.
 *
 * <p>Every request carries {@code Grpc-Metadata-hasleader: true}: a member without a leader then answers
 * "no leader" at once, before proposing anything, instead of proposing into the void and answering
 * "request timed out" (an unknown outcome) seconds later; a watch ends instead of stalling.
 *
 * <p>With an {@link EtcdAccess} it speaks https with that TLS context, and authenticates as the etcd user
 * ({@code /v3/auth/authenticate}): the token goes in the {@code Authorization} header of every call and
 * watch. etcd forgets a token that was not used for its TTL ({@code --auth-token-ttl}), and answers
 * "invalid auth token" (or "revision of auth store is old" once users or roles changed): such a refusal
 * applied nothing, so the call authenticates again and is sent once more, a write included.
 */
public final class GatewayClient implements EtcdClient {
    private static final String JSON_TYPE = "application/json";
    private static final byte[] ANY_KEY = {0};
    /** gRPC's UNAUTHENTICATED: etcd's "invalid auth token". */
    private static final int UNAUTHENTICATED = 16;

    private static final String[] LEADER_REQUIRED = {"Grpc-Metadata-hasleader", "true"};

    private static final System.Logger LOG = System.getLogger(GatewayClient.class.getName());

    private enum Kind {
        READ,
        WRITE
    }

    private final List<URI> endpoints;
    private final Duration requestTimeout;
    private final Http1Connections connections;
    private final AtomicInteger current = new AtomicInteger();
    private final Set<GatewayWatch> watches = ConcurrentHashMap.newKeySet();
    private final EtcdAccess access;
    private final Object authenticating = new Object();
    private volatile String token; // null until the first call when there is a user
    private final AtomicInteger authentications = new AtomicInteger(); // numbers the renewals in the log

    /** A client of the members at {@code endpoints} (e.g. http://127.0.0.1:23791), with its timeouts. */
    public GatewayClient(List<URI> endpoints, Duration connectTimeout, Duration requestTimeout) {
        this(endpoints, connectTimeout, requestTimeout, EtcdAccess.NONE);
    }

    /** A client that reaches the members with {@code access}: its TLS context and its etcd user. */
    public GatewayClient(List<URI> endpoints, Duration connectTimeout, Duration requestTimeout, EtcdAccess access) {
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("no etcd endpoints");
        }
        this.endpoints = List.copyOf(endpoints);
        this.requestTimeout = requestTimeout;
        this.access = access;
        this.connections = new Http1Connections(connectTimeout, access.tls());
    }

    /** Connect timeout 1 s, request timeout 5 s (below etcd's own 7 s proposal timeout). */
    public static GatewayClient of(List<URI> endpoints) {
        return new GatewayClient(endpoints, Duration.ofSeconds(1), Duration.ofSeconds(5));
    }

    /** "http://a:1,http://b:2" as a list. */
    public static List<URI> endpoints(String commaSeparated) {
        return Arrays.stream(commaSeparated.split(","))
                .map(String::strip)
                .filter(s -> !s.isEmpty())
                .map(URI::create)
                .toList();
    }

    public List<URI> endpoints() {
        return endpoints;
    }

    @Override
    public int endpointCount() {
        return endpoints.size();
    }

    @Override
    public MemberStatus status() throws EtcdException {
        return memberStatus(call(Kind.READ, "/v3/maintenance/status", "{}", false));
    }

    @Override
    public MemberStatus status(int member) throws EtcdException {
        return memberStatus(post(endpoints.get(member), "/v3/maintenance/status", "{}", false));
    }

    private static MemberStatus memberStatus(JsonObject o) {
        return new MemberStatus(
                o.getString("version", ""),
                GatewayJson.headerRevision(o),
                GatewayJson.id(o, "leader"),
                GatewayJson.id(o.getJsonObject("header"), "member_id"));
    }

    @Override
    public RangeResult range(KeyRange range, long revision, long limit) throws EtcdException {
        String body = GatewayJson.range(range, revision, limit).build().toString();
        return GatewayJson.rangeResult(call(Kind.READ, "/v3/kv/range", body, true));
    }

    @Override
    public long currentRevision() throws EtcdException {
        return currentRevision(ANY_KEY);
    }

    @Override
    public long currentRevision(byte[] key) throws EtcdException {
        String body = GatewayJson.range(KeyRange.single(key), 0, 0)
                .add("count_only", true)
                .build()
                .toString();
        return GatewayJson.headerRevision(call(Kind.READ, "/v3/kv/range", body, true));
    }

    @Override
    public long count(KeyRange range, long revision) throws EtcdException {
        String body = GatewayJson.range(range, revision, 0)
                .add("count_only", true)
                .build()
                .toString();
        return GatewayJson.num(call(Kind.READ, "/v3/kv/range", body, true), "count");
    }

    @Override
    public RangeResult keysChangedSince(KeyRange range, long revision, long minModRevision, long limit)
            throws EtcdException {
        String body = GatewayJson.range(range, revision, limit)
                .add("keys_only", true)
                .add("min_mod_revision", Long.toString(minModRevision))
                .build()
                .toString();
        return GatewayJson.rangeResult(call(Kind.READ, "/v3/kv/range", body, true));
    }

    /**
     * A txn of one put and no compares (an unconditional PUT, the most common write) goes as {@code
     * /v3/kv/put}: the same one revision and answer, and through the gateway etcd took about twice as many
     * of those per second as of the same put wrapped in a txn (measured alternating on one cluster).
     */
    @Override
    public TxnResult txn(List<Compare> compares, List<RequestOp> success, List<RequestOp> failure)
            throws EtcdException {
        if (compares.isEmpty()
                && failure.isEmpty()
                && success.size() == 1
                && success.getFirst() instanceof RequestOp.Put put) {
            String body = GatewayJson.putRequest(put).toString();
            return GatewayJson.putResult(call(Kind.WRITE, "/v3/kv/put", body, true));
        }
        boolean writes = success.stream().anyMatch(op -> !(op instanceof RequestOp.Get))
                || failure.stream().anyMatch(op -> !(op instanceof RequestOp.Get));
        String body = GatewayJson.txn(compares, success, failure).toString();
        return GatewayJson.txnResult(call(writes ? Kind.WRITE : Kind.READ, "/v3/kv/txn", body, true));
    }

    /**
     * A grant is a write, but one whose outcome needs no care: a lease granted and never used expires
     * with no keys. So it is retried on the next member like a read.
     */
    @Override
    public Lease grantLease(long ttlSeconds) throws EtcdException {
        String body = GatewayJson.object()
                .add("TTL", Long.toString(ttlSeconds))
                .build()
                .toString();
        JsonObject granted = call(Kind.READ, "/v3/lease/grant", body, true);
        if (granted.containsKey("error") && !granted.getString("error", "").isEmpty()) {
            throw new EtcdRejected(endpoints.get(current.get()), -1, granted.getString("error"), 200);
        }
        return new Lease(GatewayJson.num(granted, "ID"), GatewayJson.num(granted, "TTL"));
    }

    @Override
    public void revokeLease(long id) throws EtcdException {
        String body = GatewayJson.object().add("ID", Long.toString(id)).build().toString();
        try {
            call(Kind.READ, "/v3/lease/revoke", body, true);
        } catch (EtcdRejected e) {
            if (!e.etcdMessage().contains("lease not found")) {
                throw e;
            }
        }
    }

    @Override
    public long compact(long revision) throws EtcdException {
        String body = GatewayJson.object()
                .add("revision", Long.toString(revision))
                .build()
                .toString();
        return GatewayJson.headerRevision(call(Kind.WRITE, "/v3/kv/compaction", body, true));
    }

    @Override
    public Watch watch(KeyRange range, long startRevision, WatchListener listener) throws EtcdException {
        JsonObject create = GatewayJson.range(range, 0, 0)
                .add("start_revision", Long.toString(Math.max(0, startRevision)))
                .add("fragment", true)
                .build();
        String body = GatewayJson.object().add("create_request", create).build().toString();
        EtcdException last = null;
        for (int attempt = 0; attempt < endpoints.size(); attempt++) {
            int index = current.get();
            try {
                GatewayWatch watch = openWatch(index, body, listener);
                watches.add(watch);
                return watch;
            } catch (EtcdException e) {
                last = informative(last, e);
                if (!(e instanceof EtcdUnreachable
                        || e instanceof EtcdRejected r && r.noLeader()
                        || e instanceof EtcdOutcomeUnknown)) {
                    throw e;
                }
                current.compareAndSet(index, (index + 1) % endpoints.size());
            }
        }
        throw last;
    }

    /** A watch on member {@code index}, authenticating again once if etcd refuses the token. */
    private GatewayWatch openWatch(int index, String body, WatchListener listener) throws EtcdException {
        String used = token(endpoints.get(index));
        try {
            return openWatch(index, body, listener, used);
        } catch (EtcdRejected e) {
            if (!tokenRefused(e)) {
                throw e;
            }
            return openWatch(index, body, listener, renew(endpoints.get(index), used, e));
        }
    }

    private GatewayWatch openWatch(int index, String body, WatchListener listener, String token) throws EtcdException {
        return GatewayWatch.open(
                connections,
                endpoints.get(index),
                body,
                headers(true, token),
                requestTimeout,
                listener,
                (w, broken) -> {
                    watches.remove(w);
                    if (broken) { // the caller's reconnect should try the next member
                        current.compareAndSet(index, (index + 1) % endpoints.size());
                    }
                });
    }

    /** Of two failures, the one to report when every member failed: etcd's own answer ("no leader") wins. */
    private static EtcdException informative(EtcdException earlier, EtcdException later) {
        return earlier instanceof EtcdRejected && !(later instanceof EtcdRejected) ? earlier : later;
    }

    @Override
    public void close() {
        for (GatewayWatch watch : watches) {
            watch.close();
        }
        connections.close();
    }

    /** Sends to the current endpoint, moving on to the next ones while a retry is safe for {@code kind}. */
    private JsonObject call(Kind kind, String path, String body, boolean requireLeader) throws EtcdException {
        EtcdException last = null;
        for (int attempt = 0; attempt < endpoints.size(); attempt++) {
            int index = current.get();
            try {
                return post(endpoints.get(index), path, body, requireLeader);
            } catch (EtcdException e) {
                last = informative(last, e);
                boolean elsewhere = e instanceof EtcdUnreachable
                        || e instanceof EtcdRejected r && r.noLeader()
                        || kind == Kind.READ && e instanceof EtcdOutcomeUnknown;
                if (!elsewhere) {
                    throw e;
                }
                current.compareAndSet(index, (index + 1) % endpoints.size());
            }
        }
        throw last;
    }

    /** One call to {@code endpoint}, authenticating first when needed, and again once if etcd refuses the token. */
    private JsonObject post(URI endpoint, String path, String body, boolean requireLeader) throws EtcdException {
        String used = token(endpoint);
        try {
            return post(endpoint, path, body, requireLeader, used);
        } catch (EtcdRejected e) {
            if (!tokenRefused(e)) {
                throw e;
            }
            return post(endpoint, path, body, requireLeader, renew(endpoint, used, e));
        }
    }

    /**
     * etcd refused the token, before applying anything: it expired (a simple token unused for {@code
     * --auth-token-ttl}), the member does not know it, or users and roles changed since it was issued.
     */
    private boolean tokenRefused(EtcdRejected e) {
        return access.user().isPresent()
                && (e.code() == UNAUTHENTICATED
                        || e.etcdMessage().contains("auth store is old")
                        || e.etcdMessage().contains("user name is empty"));
    }

    /** The token to send, authenticating at {@code endpoint} first if there is a user and no token yet. */
    private String token(URI endpoint) throws EtcdException {
        String t = token;
        return t != null || access.user().isEmpty() ? t : renew(endpoint, null, null);
    }

    /**
     * A new token in place of {@code stale} (null: none yet), unless another thread has already replaced
     * it. A failed authentication sent no call: it is reported as unreachable unless etcd refused the
     * user (a wrong password is not worth trying on another member).
     */
    private String renew(URI endpoint, String stale, EtcdRejected refused) throws EtcdException {
        synchronized (authenticating) {
            if (token != null && !token.equals(stale)) {
                return token;
            }
            String user = access.user().orElseThrow();
            String body = GatewayJson.object()
                    .add("name", user)
                    .add("password", access.password())
                    .build()
                    .toString();
            JsonObject answer;
            try {
                answer = post(endpoint, "/v3/auth/authenticate", body, true, null);
            } catch (EtcdOutcomeUnknown e) {
                throw new EtcdUnreachable(endpoint, "authenticating as etcd user " + user + " failed: " + e, e);
            } catch (EtcdRejected e) {
                if (e.noLeader()) {
                    throw e;
                }
                throw new EtcdRejected(
                        endpoint,
                        e.code(),
                        "authenticating as etcd user " + user + " failed: " + e.etcdMessage(),
                        e.httpStatus());
            }
            token = answer.getString("token", null);
            if (token == null) {
                throw new EtcdUnreachable(endpoint, "etcd answered no token to user " + user, null);
            }
            int count = authentications.incrementAndGet();
            LOG.log(
                    System.Logger.Level.INFO,
                    refused == null
                            ? "etcd: authenticated as user " + user + " at " + endpoint
                            : "etcd: token renewed (authentication " + count + ") as user " + user + " at " + endpoint
                                    + ": etcd refused the previous one (" + refused.etcdMessage() + ")");
            return token;
        }
    }

    private JsonObject post(URI endpoint, String path, String body, boolean requireLeader, String token)
            throws EtcdException {
        Http1Connections.Answer response;
        try {
            response = connections.post(endpoint, path, body, requestTimeout, headers(requireLeader, token));
        } catch (ConnectException e) {
            throw new EtcdUnreachable(endpoint, "cannot connect: " + e, e);
        } catch (SSLException e) { // thrown by the handshake only: no request reaches etcd over it
            throw new EtcdUnreachable(endpoint, "TLS handshake failed: " + e, e);
        } catch (SocketTimeoutException e) {
            throw new EtcdOutcomeUnknown(endpoint, "no answer within " + requestTimeout, e);
        } catch (IOException | RuntimeException e) {
            throw new EtcdOutcomeUnknown(endpoint, "connection failed after sending: " + e, e);
        }
        if (response.status() != 200) {
            throw error(endpoint, response.status(), response.body());
        }
        try {
            return GatewayJson.parse(response.body());
        } catch (JsonException e) {
            throw new EtcdOutcomeUnknown(endpoint, "unreadable answer: " + response.body(), e);
        }
    }

    /** The headers of a unary call, as name, value pairs. */
    private static String[] headers(boolean requireLeader, String token) {
        if (token == null) {
            return requireLeader ? LEADER_REQUIRED : new String[0];
        }
        // etcd reads the gateway's Authorization header as the token, no scheme
        return requireLeader
                ? new String[] {"Grpc-Metadata-hasleader", "true", "Authorization", token}
                : new String[] {"Authorization", token};
    }

    /**
     * An error answer: {@code {"error","message","code"}} from unary calls, {@code {"error":{"grpc_code",
     * "message",...}}} on streams. etcd's own timeouts and cancellations leave a write's outcome open.
     */
    static EtcdException error(URI endpoint, int httpStatus, String body) {
        int code;
        String message;
        try {
            JsonObject o = GatewayJson.parse(body);
            if (o.get("error") instanceof JsonObject nested) {
                o = nested;
                code = nested.getInt("grpc_code", -1);
                httpStatus = nested.getInt("http_code", httpStatus);
            } else {
                code = o.getInt("code", -1);
            }
            message = o.getString("message", String.valueOf(o.get("error")));
        } catch (JsonException | ClassCastException e) {
            String text = body.length() > 200 ? body.substring(0, 200) + "..." : body;
            return httpStatus >= 500
                    ? new EtcdOutcomeUnknown(endpoint, -1, "HTTP " + httpStatus + ": " + text)
                    : new EtcdRejected(endpoint, -1, "HTTP " + httpStatus + ": " + text, httpStatus);
        }
        return undecided(code, message)
                ? new EtcdOutcomeUnknown(endpoint, code, message)
                : new EtcdRejected(endpoint, code, message, httpStatus);
    }

    /**
     * Codes that may follow a proposal: 1 cancelled, 2 unknown, 4 deadline exceeded, 13 internal, and 14
     * unavailable except "no leader" (which is checked before anything is proposed): "request timed out",
     * "leader changed", "server stopped".
     */
    private static boolean undecided(int code, String message) {
        return switch (code) {
            case 1, 2, 4, 13 -> true;
            case 14 -> !message.contains("no leader");
            default -> false;
        };
    }
}
