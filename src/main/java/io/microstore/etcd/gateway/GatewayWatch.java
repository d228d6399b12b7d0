package io.microstore.etcd.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.net.ssl.SSLException;

import jakarta.json.JsonException;
import jakarta.json.JsonObject;

/**
 * One watch stream: {@code POST /v3/watch} answers a chunked body of one JSON object per line, read live
 * on a platform thread from a connection of its own ({@link Http1Connections#stream}). The request body is
 * sent whole first, so progress requests and cancel requests are not sent: closing the connection ends it. The
 * watch asks for fragments, so that a line stays about as small as etcd's largest request even when it
 * catches up on history (etcd puts up to 1000 revisions in one response otherwise).
 */
final class GatewayWatch implements Watch {
    private final URI endpoint;
    private final Stream<String> lines;
    private final WatchListener listener;
    private final BiConsumer<GatewayWatch, Boolean> onEnd;
    private volatile boolean broken;
    private final AtomicBoolean closedByCaller = new AtomicBoolean();
    private final AtomicBoolean ended = new AtomicBoolean();
    private final Thread reader;
    private List<WatchEvent> held = List.of(); // the reader's: a revision a fragment ended in the middle of

    private GatewayWatch(
            URI endpoint, Stream<String> lines, WatchListener listener, BiConsumer<GatewayWatch, Boolean> onEnd) {
        this.endpoint = endpoint;
        this.lines = lines;
        this.listener = listener;
        this.onEnd = onEnd;
        // A platform thread, not a virtual one: a watch waits on its socket between every two events, and
        // waking a virtual thread takes JDK 25's poller thread, a sub-poller on a carrier and then the
        // carrier, where the kernel wakes a platform thread directly. Measured (docs/CLUSTER.md, "The watch
        // on a platform thread"): an idle instance's CPU per event 162-226 us on a virtual thread against
        // 67-88 us here, and a one-connection PUT's p50 through an instance about 0.5 ms lower.
        this.reader =
                Thread.ofPlatform().daemon(true).name("etcd-watch " + endpoint).unstarted(this::read);
    }

    /**
     * Sends the create request and waits (at most {@code timeout}) for the response head. {@code onEnd}
     * hears of the end, with true when the stream broke (rather than being closed or compacted).
     */
    static GatewayWatch open(
            Http1Connections connections,
            URI endpoint,
            String body,
            String[] headers,
            Duration timeout,
            WatchListener listener,
            BiConsumer<GatewayWatch, Boolean> onEnd)
            throws EtcdException {
        Http1Connections.Streamed response;
        try {
            response = connections.stream(endpoint, "/v3/watch", body, timeout, headers);
        } catch (ConnectException | SSLException e) { // nothing reached etcd
            throw new EtcdUnreachable(endpoint, "cannot connect: " + e, e);
        } catch (SocketTimeoutException e) {
            throw new EtcdOutcomeUnknown(endpoint, "no watch response within " + timeout, e);
        } catch (IOException | RuntimeException e) {
            throw new EtcdOutcomeUnknown(endpoint, "watch failed: " + e, e);
        }
        if (response.status() != 200) {
            String text;
            try (Stream<String> s = response.lines()) {
                text = s.collect(Collectors.joining("\n"));
            } catch (UncheckedIOException e) {
                text = "";
            }
            throw GatewayClient.error(endpoint, response.status(), text);
        }
        GatewayWatch watch = new GatewayWatch(endpoint, response.lines(), listener, onEnd);
        watch.reader.start();
        return watch;
    }

    private void read() {
        try {
            Iterator<String> it = lines.iterator();
            while (it.hasNext()) {
                String line = it.next();
                if (!line.isBlank() && !handle(GatewayJson.parse(line))) {
                    return;
                }
            }
            end(new EtcdOutcomeUnknown(endpoint, "watch stream ended", null));
        } catch (UncheckedIOException | JsonException e) {
            end(new EtcdOutcomeUnknown(endpoint, "watch stream broke: " + e, e));
        } catch (RuntimeException e) { // the listener's own failure also ends the watch
            end(new EtcdOutcomeUnknown(endpoint, "watch listener failed: " + e, e));
        } finally {
            lines.close();
            onEnd.accept(this, broken);
        }
    }

    /** One line of the stream; false when it ended the watch. */
    private boolean handle(JsonObject line) {
        if (line.containsKey("error")) {
            end(GatewayClient.error(endpoint, 200, line.toString()));
            return false;
        }
        JsonObject result = line.getJsonObject("result");
        long revision = GatewayJson.headerRevision(result);
        long compacted = GatewayJson.num(result, "compact_revision");
        if (compacted > 0) {
            // etcd keeps the stream open after this cancel: we end it
            if (ended.compareAndSet(false, true)) {
                listener.onCompacted(compacted);
            }
            return false;
        }
        if (GatewayJson.bool(result, "canceled")) {
            end(new EtcdRejected(endpoint, -1, "watch canceled: " + result.getString("cancel_reason", ""), 200));
            return false;
        }
        if (GatewayJson.bool(result, "created")) {
            listener.onCreated(revision);
        }
        List<WatchEvent> events = whole(GatewayJson.events(result), GatewayJson.bool(result, "fragment"));
        if (!events.isEmpty() && !closedByCaller.get()) {
            listener.onEvents(revision, events);
        }
        return true;
    }

    /**
     * The events of whole revisions: a response etcd split into fragments (each at most about its
     * --max-request-bytes) may end in the middle of a revision, whose events are held back until the
     * rest of it comes, so that a listener never sees part of a transaction.
     */
    private List<WatchEvent> whole(List<WatchEvent> events, boolean fragment) {
        if (!held.isEmpty()) {
            List<WatchEvent> joined = new ArrayList<>(held);
            joined.addAll(events);
            events = joined;
            held = List.of();
        }
        if (fragment && !events.isEmpty()) {
            long last = events.getLast().revision();
            int cut = events.size();
            while (cut > 0 && events.get(cut - 1).revision() == last) {
                cut--;
            }
            held = List.copyOf(events.subList(cut, events.size()));
            events = events.subList(0, cut);
        }
        return events;
    }

    private void end(EtcdException cause) {
        if (ended.compareAndSet(false, true)) {
            if (closedByCaller.get()) {
                listener.onClosed(null);
            } else {
                broken = true;
                listener.onClosed(cause);
            }
        }
    }

    @Override
    public void close() {
        if (closedByCaller.compareAndSet(false, true)) {
            lines.close(); // closes the body under the reader: its next read ends the stream
            if (Thread.currentThread() != reader) {
                try {
                    reader.join(2000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
