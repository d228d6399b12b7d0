package io.microstore.api;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
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
import io.microstore.store.feed.ChangeFeed;
import io.microstore.store.feed.ChangePage;

/**
 * {@code /api/changes}: every committed change in seq order, as a poll, a long-poll ({@code wait})
 * or a Server-Sent Events stream ({@code Accept: text/event-stream}), resumable by seq.
 */
public final class ChangesService implements HttpService {
    private static final int SSE_BATCH = 1000;
    private static final HeaderName LAST_EVENT_ID = HeaderNames.create("Last-Event-ID");
    private static final byte[] EVENT_END = "\n\n".getBytes(StandardCharsets.US_ASCII);

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
        if (wantsStream(req.headers().all(HeaderNames.ACCEPT, List::of))) {
            // A browser's EventSource reconnects to the same URL with Last-Event-ID: that one wins.
            long since = req.headers()
                    .first(LAST_EVENT_ID)
                    .map(ChangesQuery::since)
                    .orElse(query.since() == null ? feed.lastSeq() : query.since());
            stream(res, query, since);
        } else {
            poll(req, res, query);
        }
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

    /** One page of changes; with {@code wait}, blocks until one matches or the time is up. */
    private void poll(ServerRequest req, ServerResponse res, ChangesQuery query) throws IOException {
        long since = query.since() == null ? feed.lastSeq() : query.since();
        ChangePage page = feed.read(since, query.limit(), query.prefix());
        if (page.isEmpty() && query.waitFor().isPositive()) {
            try (ChangeFeed.Waiter waiter = feed.subscribe()) {
                ChangePage[] cursor = {page};
                ChangePage found = waiter.await(query.waitFor(), () -> nonEmpty(cursor, query.limit(), query.prefix()));
                page = found != null ? found : cursor[0];
            }
        }
        ChangePage answer = page; // the page's changes as references; their bytes are streamed
        Responses.json(req, res, out -> {
            JsonWriter json = new JsonWriter(out).beginObject().name("results").beginArray();
            for (Commit commit : answer.commits()) {
                for (Change change : commit.changes()) {
                    Documents.writeChange(json, commit.seq(), change, query.includeData());
                }
            }
            json.endArray().name("last_seq").value(answer.lastSeq()).endObject();
        });
    }

    /** Reads on from {@code cursor[0]}, moving it along; the page read when it holds changes, else null. */
    private ChangePage nonEmpty(ChangePage[] cursor, int limit, String prefix) {
        cursor[0] = feed.read(cursor[0].lastSeq(), limit, prefix);
        return cursor[0].isEmpty() ? null : cursor[0];
    }

    /**
     * Server-Sent Events until the client goes away: {@code id} is the seq (on the last event of a seq
     * only), {@code event} put or delete, {@code data} the change as JSON; a comment every keep-alive period; {@code event: reset}
     * (then the end of the stream) when the client has fallen out of the retained window.
     */
    private void stream(ServerResponse res, ChangesQuery query, long since) {
        feed.read(since, 1, ""); // a since outside the window gets a 410 problem before the stream starts
        try (ChangeFeed.Waiter waiter = feed.subscribe()) {
            res.header(HeaderValues.create(HeaderNames.CONTENT_TYPE, "text/event-stream"));
            res.header(HeaderValues.create(HeaderNames.CACHE_CONTROL, "no-cache"));
            try (OutputStream out = Responses.stream(res)) {
                out.write(": microstore changes\n\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                ChangePage[] cursor = {new ChangePage(List.of(), since)};
                Duration keepAlive = feed.config().keepAlive();
                while (!feed.closed() && !Thread.currentThread().isInterrupted()) {
                    ChangePage page;
                    try {
                        page = waiter.await(keepAlive, () -> nonEmpty(cursor, SSE_BATCH, query.prefix()));
                    } catch (FeedGone e) {
                        resetEvent(out, e);
                        return;
                    }
                    if (page == null && feed.closed()) {
                        return;
                    }
                    if (page == null) {
                        // Quiet for this client (other names may be changing): a comment now and then
                        // keeps proxies from closing the stream and finds out when the client is gone.
                        out.write(": keep-alive\n\n".getBytes(StandardCharsets.US_ASCII));
                    } else {
                        for (Commit commit : page.commits()) { // a page never splits a seq
                            List<Change> changes = commit.changes();
                            for (int i = 0; i < changes.size(); i++) {
                                event(out, commit.seq(), changes.get(i), query.includeData(), i == changes.size() - 1);
                            }
                        }
                    }
                    out.flush();
                }
            } catch (IOException | UncheckedIOException e) {
                // the client went away
            }
        }
    }

    /**
     * One change as an event. Only the last event of a seq carries {@code id:} (several share a seq when a
     * transaction made them): an EventSource keeps the last id it was given, so one that reconnects in the
     * middle of a transaction's events resumes before the transaction, never after part of it.
     */
    private static void event(OutputStream out, long seq, Change change, boolean includeData, boolean withId)
            throws IOException {
        out.write(
                ((withId ? "id: " + seq + "\n" : "") + "event: " + Op.of(change).wireName() + "\ndata: ")
                        .getBytes(StandardCharsets.US_ASCII));
        Documents.writeChange(new JsonWriter(out), seq, change, includeData); // compact JSON: never a line break inside
        out.write(EVENT_END);
    }

    /** The last event of a stream whose client fell out of the retained window; then the stream ends. */
    private static void resetEvent(OutputStream out, FeedGone gone) throws IOException {
        out.write("event: reset\ndata: ".getBytes(StandardCharsets.US_ASCII));
        new JsonWriter(out)
                .beginObject()
                .name("detail")
                .value(gone.getMessage())
                .name("last_seq")
                .value(gone.lastSeq())
                .endObject();
        out.write(EVENT_END);
    }
}
