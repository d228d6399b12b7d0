package io.microstore.api;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.UnauthorizedException;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.microstore.api.wire.ChangesQuery;
import io.microstore.api.wire.Documents;
import io.microstore.commit.Change;
import io.microstore.commit.Commit;
import io.microstore.json.JsonWriter;
import io.microstore.store.FeedGone;
import io.microstore.store.Op;
import io.microstore.store.Scope;
import io.microstore.store.StoreUnavailable;
import io.microstore.store.feed.ChangeFeed;
import io.microstore.store.feed.ChangePage;
import io.microstore.store.feed.FeedPosition;
import io.microstore.store.feed.Transition;

/**
 * {@code /api/changes}: every committed change in seq order, as a poll, a long-poll ({@code wait})
 * or a Server-Sent Events stream ({@code Accept: text/event-stream}), resumable by seq. With {@code where}, a
 * live query: only the changes of apps the selector matched before or after them, each saying what it did to
 * the result set ({@code enter}, {@code update}, {@code leave} with its reason).
 */
public final class ChangesService implements HttpService {
    private static final int SSE_BATCH = 1000;
    private static final HeaderName LAST_EVENT_ID = HeaderNames.create("Last-Event-ID");
    private static final byte[] EVENT_END = "\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] KEEP_ALIVE = ": keep-alive\n\n".getBytes(StandardCharsets.US_ASCII);
    /**
     * The {@code retry:} an SSE stream starts with: how long an EventSource waits before it reconnects
     * once its stream ends (a restart, a deploy, this server's shutdown event). Clients' own defaults
     * differ (about 3 s in browsers and the npm package, others 5 s or none); one second brings a client
     * back about as soon as a restarted instance or a load balancer's next one answers, and a random
     * second more spreads the reconnects of a server's many streams over time. Resuming is exact either
     * way (Last-Event-ID): only the delay is at stake, not worth a setting.
     */
    private static final int RETRY_MILLIS = 1000;

    private static final String SHUTDOWN = "the server is shutting down; reconnect (to another instance, or to this "
            + "one once it is back) with this event's id as Last-Event-ID to go on right after it";

    private final ChangeFeed feed;

    public ChangesService(ChangeFeed feed) {
        this.feed = feed;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::changes).any("/", MethodNotAllowed.handler("GET"));
    }

    private void changes(ServerRequest req, ServerResponse res) throws IOException {
        ChangesQuery query = ChangesQuery.from(req.query());
        Authorize.readUnder(req, query.prefix());
        Caller caller = Authorize.caller(req);
        if (wantsStream(req.headers().all(HeaderNames.ACCEPT, List::of))) {
            // A browser's EventSource reconnects to the same URL with Last-Event-ID: that one wins.
            FeedPosition since =
                    req.headers().first(LAST_EVENT_ID).map(ChangesQuery::since).orElseGet(() -> since(query));
            stream(res, query, since, caller);
        } else {
            poll(req, res, query, caller);
        }
    }

    /** Where the query starts reading: its {@code since}, or now (right after the last commit) without one. */
    private FeedPosition since(ChangesQuery query) {
        return query.since() == null ? FeedPosition.after(feed.lastSeq()) : query.since();
    }

    /**
     * Whether the client prefers the SSE stream to JSON: {@code text/event-stream} is acceptable with a
     * higher q than {@code application/json}, or the same q from a range listed first. A generated
     * client that lists every declared type ({@code application/json, text/event-stream}) gets JSON,
     * as it can only read that; an EventSource ({@code text/event-stream}) gets the stream.
     */
    static boolean wantsStream(List<String> accept) {
        double[] sse = {0, Integer.MAX_VALUE, -1};
        double[] json = {0, Integer.MAX_VALUE, -1};
        int index = 0;
        for (String header : accept) {
            for (String range : header.split(",")) {
                String[] parts = range.split(";");
                String type = parts[0].trim().toLowerCase(Locale.ROOT);
                double q = 1;
                for (int i = 1; i < parts.length; i++) {
                    String p = parts[i].trim();
                    if (p.startsWith("q=") || p.startsWith("Q=")) {
                        try {
                            q = Double.parseDouble(p.substring(2).trim());
                        } catch (NumberFormatException e) {
                            q = 0;
                        }
                    }
                }
                match(sse, type, "text/event-stream", q, index);
                match(json, type, "application/json", q, index);
                index++;
            }
        }
        return sse[0] > 0 && (sse[0] > json[0] || sse[0] == json[0] && sse[1] < json[1]);
    }

    /** {q, index, specificity} of the most specific range that names {@code media}. */
    private static void match(double[] best, String range, String media, double q, int index) {
        int specificity = range.equals(media)
                ? 2
                : range.equals(media.substring(0, media.indexOf('/')) + "/*") ? 1 : range.equals("*/*") ? 0 : -1;
        if (specificity > best[2]) {
            best[0] = q;
            best[1] = index;
            best[2] = specificity;
        }
    }

    /**
     * One page of changes; with {@code wait}, blocks until one matches or the time is up. A long-poll
     * keeps its place among the feed's subscribers until its answer is written: a server that stops wakes
     * it and waits for that ({@link ChangeFeed#closeAndDrain}) before it closes the connections.
     */
    private void poll(ServerRequest req, ServerResponse res, ChangesQuery query, Caller caller) throws IOException {
        FeedPosition since = since(query);
        ChangePage page = feed.read(since, query.limit(), query.prefix(), query.where(), visible(caller));
        if (!page.isEmpty() || !query.waitFor().isPositive()) {
            answer(req, res, query, page);
            return;
        }
        try (ChangeFeed.Waiter waiter = feed.subscribe(query.where())) {
            FeedPosition[] cursor = {FeedPosition.after(page.lastSeq())};
            ChangePage found = waiter.await(query.waitFor(), () -> nonEmpty(cursor, query.limit(), query, caller));
            answer(req, res, query, found != null ? found : new ChangePage(List.of(), cursor[0].seq()));
        }
    }

    /** The page as JSON; its changes are references into the feed, their bytes are streamed. */
    private static void answer(ServerRequest req, ServerResponse res, ChangesQuery query, ChangePage page)
            throws IOException {
        Responses.json(req, res, out -> {
            JsonWriter json = new JsonWriter(out).beginObject().name("results").beginArray();
            List<Commit> commits = page.commits();
            for (int c = 0; c < commits.size(); c++) {
                Commit commit = commits.get(c);
                for (int i = 0; i < commit.changes().size(); i++) {
                    Documents.writeChange(
                            json, commit.seq(), commit.changes().get(i), query.includeData(), page.transition(c, i));
                }
            }
            json.endArray().name("last_seq").value(page.lastSeq()).endObject();
        });
    }

    /**
     * Reads on from {@code cursor[0]}, moving it along; the page read when it holds changes, else null.
     *
     * @throws UnauthorizedException once the caller's key is revoked: its long-poll or stream ends
     */
    private ChangePage nonEmpty(FeedPosition[] cursor, int limit, ChangesQuery query, Caller caller) {
        if (!caller.valid()) {
            throw new UnauthorizedException(Authorize.REFUSAL);
        }
        ChangePage page = feed.read(cursor[0], limit, query.prefix(), query.where(), visible(caller));
        cursor[0] = FeedPosition.after(page.lastSeq());
        return page.isEmpty() ? null : page;
    }

    /** The names the caller may read, as the feed takes them; null: every name. */
    private static Predicate<String> visible(Caller caller) {
        Scope scope = caller.scope();
        return scope.all() ? null : scope::mayRead;
    }

    /**
     * Server-Sent Events until the client goes away: first {@code retry:} (see {@link #RETRY_MILLIS}),
     * then per change {@code id} (the position right after it, see {@link ChangesQuery#id}), {@code event}
     * put or delete (a live query's: enter, update or leave) and {@code data} the change as JSON; a comment
     * every keep-alive period. It ends with {@code event: reset} when the client has fallen out of the
     * retained window, and with {@code event: shutdown} when the server stops (or cannot serve the feed
     * now): both carry the id the stream had reached, so that an EventSource's last id is never empty, and
     * the stream then ends properly.
     */
    private void stream(ServerResponse res, ChangesQuery query, FeedPosition since, Caller caller) {
        feed.read(since, 1, ""); // a since outside the window gets a 410 problem before the stream starts
        try (ChangeFeed.Waiter waiter = feed.subscribe(query.where())) {
            res.header(HeaderValues.create(HeaderNames.CONTENT_TYPE, "text/event-stream"));
            res.header(HeaderValues.create(HeaderNames.CACHE_CONTROL, "no-cache"));
            try (OutputStream out = Responses.stream(res)) {
                int retry = RETRY_MILLIS + ThreadLocalRandom.current().nextInt(RETRY_MILLIS);
                out.write(("retry: " + retry + "\n: microstore changes\n\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                FeedPosition[] cursor = {since};
                Duration keepAlive = feed.config().keepAlive();
                while (!Thread.currentThread().isInterrupted()) {
                    ChangePage page;
                    try {
                        page = waiter.await(keepAlive, () -> nonEmpty(cursor, SSE_BATCH, query, caller));
                    } catch (UnauthorizedException revoked) { // the key is gone: not one more event
                        return;
                    } catch (FeedGone e) {
                        lastEvent(out, cursor[0], "reset", e.getMessage(), e.lastSeq());
                        return;
                    } catch (StoreUnavailable e) { // the store is closing under the stream
                        lastEvent(out, cursor[0], "shutdown", e.getMessage(), whole(cursor[0]));
                        return;
                    }
                    if (page != null) {
                        events(out, page, query.includeData());
                    }
                    if (feed.closed()) { // after the changes read already: the id below is where they end
                        lastEvent(out, cursor[0], "shutdown", SHUTDOWN, whole(cursor[0]));
                        return;
                    }
                    if (page == null) {
                        // Quiet for this client (other names may be changing): a comment now and then
                        // keeps proxies from closing the stream and finds out when the client is gone.
                        out.write(KEEP_ALIVE);
                    }
                    out.flush();
                }
            } catch (IOException | UncheckedIOException e) {
                // the client went away
            }
        }
    }

    /**
     * The events of a page, each with its id: a client that stops after any of them resumes right after
     * it. The last change of a seq (of those the client gets) has the seq; a transaction's earlier ones
     * have {@code <seq>.<its number in the commit>}.
     */
    private static void events(OutputStream out, ChangePage page, boolean includeData) throws IOException {
        List<Commit> commits = page.commits();
        for (int c = 0; c < commits.size(); c++) {
            Commit commit = commits.get(c);
            List<Change> changes = commit.changes();
            for (int i = 0; i < changes.size(); i++) {
                FeedPosition after = i == changes.size() - 1
                        ? FeedPosition.after(commit.seq())
                        : new FeedPosition(commit.seq(), page.place(c, i));
                Change change = changes.get(i);
                Transition did = page.transition(c, i);
                out.write(("id: " + ChangesQuery.id(after) + "\nevent: "
                                + (did == null ? Op.of(change).wireName() : did.event()) + "\ndata: ")
                        .getBytes(StandardCharsets.US_ASCII));
                // compact JSON: never a line break inside
                Documents.writeChange(new JsonWriter(out), commit.seq(), change, includeData, did);
                out.write(EVENT_END);
            }
        }
    }

    /** The last seq all of whose changes a client at {@code at} has had. */
    private static long whole(FeedPosition at) {
        return at.inside() ? at.seq() - 1 : at.seq();
    }

    /**
     * The last event of a stream, then its end: {@code reset} (the client fell out of the retained window:
     * its id is where it was, which a reconnect gets 410 for; {@code last_seq} is where to follow from after
     * listing the apps again) or {@code shutdown} (its id and {@code last_seq} are where the stream got to).
     */
    private static void lastEvent(OutputStream out, FeedPosition at, String event, String detail, long lastSeq)
            throws IOException {
        out.write(
                ("id: " + ChangesQuery.id(at) + "\nevent: " + event + "\ndata: ").getBytes(StandardCharsets.US_ASCII));
        new JsonWriter(out)
                .beginObject()
                .name("detail")
                .value(detail)
                .name("last_seq")
                .value(lastSeq)
                .endObject();
        out.write(EVENT_END);
    }
}
