package io.microstore.etcd;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.microstore.commit.CommitStream;
import io.microstore.etcd.gateway.EtcdClient;
import io.microstore.etcd.gateway.EtcdException;
import io.microstore.etcd.gateway.EtcdOutcomeUnknown;
import io.microstore.etcd.gateway.EtcdRejected;
import io.microstore.etcd.gateway.KeyRange;
import io.microstore.etcd.gateway.Watch;
import io.microstore.etcd.gateway.WatchEvent;
import io.microstore.etcd.gateway.WatchListener;

/**
 * An instance's start: the apps as etcd held them at the oldest revision the changes feed is to reach
 * back to, then etcd's history of the dataset from there on, replayed into the feed, so that an instance
 * started now answers {@code since} as one that has run all along, down to what etcd has compacted.
 *
 * <p>That revision is {@code max(current - keep, compacted)}: the feed's window, as far as etcd still
 * holds it ({@code keep} is the revisions compaction keeps, the feed's window). etcd ranges at a past
 * revision that is not compacted, so the listing is pinned there, and a watch from it delivers the
 * history. Revision 1 is etcd's empty start: nothing happened at or before it, so the feed then reaches
 * back to 0. etcd does not say when a watch has delivered all history up to a revision, so the replay
 * ends at a revision whose event it is sure to see: the current one when this dataset's keys changed at
 * it, else the marker written now (other datasets moved the revision on).
 *
 * <p>A compaction racing the start makes the listing or the watch refuse: the start begins again, from
 * the compacted revision. When the replay keeps failing (or etcd refuses the marker) the start loads the
 * apps at the current revision without history, as a re-list does, and says so.
 */
final class History {
    private static final System.Logger LOG = System.getLogger(History.class.getName());
    private static final int ATTEMPTS = 3;
    /** How long a replay may wait for etcd's next events (it sends a watch's history about 10 times a second). */
    private static final Duration STALLED = Duration.ofSeconds(10);

    private final EtcdClient client;
    private final AppKeys keys;
    private final Mirror mirror;
    private final CommitStream stream;
    private final long keep;
    private long compacted; // etcd's compact revision, once a listing or watch found it in the way

    History(EtcdClient client, AppKeys keys, Mirror mirror, CommitStream stream, long keep) {
        this.client = client;
        this.keys = keys;
        this.mirror = mirror;
        this.stream = stream;
        this.keep = keep;
    }

    /** Loads the apps and replays their history; returns the revision the loaded state is at. */
    long load() throws EtcdException {
        String failure = null;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            if (attempt > 0) {
                stream.reload(); // what the attempt before restored and replayed is written over
            }
            try {
                return attempt();
            } catch (EtcdRejected e) {
                if (!e.compacted()) {
                    failure = e.getMessage(); // refused (the marker, when etcd is out of space): again would be too
                    break;
                }
                failure = "etcd compacted its history meanwhile";
            } catch (EtcdOutcomeUnknown | ReplayFailed e) { // the marker is the same write each time
                failure = e.getMessage();
            }
        }
        LOG.log(
                System.Logger.Level.WARNING,
                "replaying etcd's history failed (" + failure + "): the changes "
                        + "feed starts at the current revision");
        stream.reload();
        long at = mirror.restoreAt(0);
        stream.replaysAfter(at);
        return at;
    }

    private long attempt() throws EtcdException, ReplayFailed {
        long current = client.currentRevision(keys.marker());
        long from = Math.max(Math.max(1, current - keep), compacted);
        try {
            mirror.restoreAt(from);
            stream.replaysAfter(from == 1 ? 0 : from);
            long end = Math.max(current, from);
            if (end > from && !changedAt(end)) {
                end = client.txn(List.of(), List.of(keys.touchMarker()), List.of())
                        .revision();
            }
            if (end > from) {
                replay(from, end);
            }
            return end;
        } catch (EtcdRejected e) {
            if (e.compacted()) {
                compacted = Math.max(compacted, compactRevision(from));
            }
            throw e;
        }
    }

    /** Whether this dataset's keys changed at {@code revision}: a key put then, or fewer keys than before. */
    private boolean changedAt(long revision) throws EtcdException {
        return !client.keysChangedSince(keys.all(), revision, revision, 1).kvs().isEmpty()
                || client.count(keys.all(), revision) != client.count(keys.all(), revision - 1);
    }

    /** etcd's compact revision, which a read at {@code below} just found above it: a watch from there says it. */
    private long compactRevision(long below) throws EtcdException {
        CompletableFuture<Long> answer = new CompletableFuture<>();
        try (Watch probe = client.watch(KeyRange.single(keys.marker()), below, new WatchListener() {
            @Override
            public void onEvents(long revision, List<WatchEvent> events) {}

            @Override
            public void onCompacted(long compactRevision) {
                answer.complete(compactRevision);
            }

            @Override
            public void onClosed(EtcdException cause) {
                answer.complete(0L);
            }
        })) {
            return answer.get(STALLED.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        } catch (ExecutionException | TimeoutException e) {
            return 0; // not known: the next attempt finds it in the way again
        }
    }

    /** Replays the events after {@code from} up to {@code end} (an event of this dataset's) through the mirror. */
    private void replay(long from, long end) throws EtcdException, ReplayFailed {
        Replay replay = new Replay(from, end);
        Watch watch = client.watch(keys.all(), from, replay);
        try {
            replay.await();
        } finally {
            replay.stop();
            watch.close();
        }
    }

    /** The start cannot replay etcd's history this time: it tries again or goes without. */
    private static final class ReplayFailed extends Exception {
        ReplayFailed(String message) {
            super(message);
        }
    }

    /** The watch of the history: hands whole revisions in (from, end] to the mirror, on the watch's thread. */
    private final class Replay implements WatchListener {
        private final long from;
        private final long end;
        private long reached; // the last revision seen, guarded by this
        private String failure;
        private boolean stopped;

        Replay(long from, long end) {
            this.from = from;
            this.end = end;
            this.reached = from;
        }

        @Override
        public synchronized void onEvents(long revision, List<WatchEvent> events) {
            if (stopped || reached >= end) {
                return;
            }
            int first = 0;
            while (first < events.size() && events.get(first).revision() <= from) {
                first++; // at the listing's revision: restored already
            }
            int last = first;
            while (last < events.size() && events.get(last).revision() <= end) {
                last++; // later ones the watch that follows delivers again
            }
            mirror.replay(events.subList(first, last));
            reached = Math.max(
                    reached, last < events.size() ? end : events.getLast().revision());
            notifyAll();
        }

        @Override
        public synchronized void onCompacted(long compactRevision) {
            compacted = Math.max(compacted, compactRevision);
            failure = "etcd compacted its history to revision " + compactRevision + " meanwhile";
            notifyAll();
        }

        @Override
        public synchronized void onClosed(EtcdException cause) {
            if (cause != null) {
                failure = "the watch of etcd's history broke: " + cause.getMessage();
                notifyAll();
            }
        }

        /** Waits until the history up to {@code end} is replayed. */
        synchronized void await() throws ReplayFailed {
            long seen = reached;
            long deadline = System.nanoTime() + STALLED.toNanos();
            while (reached < end) {
                if (failure != null) {
                    throw new ReplayFailed(failure);
                }
                if (reached > seen) {
                    seen = reached;
                    deadline = System.nanoTime() + STALLED.toNanos();
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new ReplayFailed("no history from etcd after revision " + reached + " for " + STALLED);
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ReplayFailed("interrupted");
                }
            }
        }

        /** Nothing reaches the mirror after this returns. */
        synchronized void stop() {
            stopped = true;
        }
    }
}
