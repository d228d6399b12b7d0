package io.microstore.linearizability;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.microstore.linearizability.Op.Kind;
import io.microstore.linearizability.Op.Status;

/**
 * A thread-safe recorder of operations: a client calls {@link #invoke} right before it sends a request and one
 * of {@link #ok}, {@link #fail}, {@link #unknown} or {@link #refused} once it knows the outcome. An operation
 * still pending when the history is read (a client that died) counts as unknown. Tests can also
 * {@link #add} operations with times of their own.
 */
public final class History {
    private final AtomicInteger ids = new AtomicInteger();
    private final List<Op> done = new ArrayList<>();
    private final List<Pending> pending = new ArrayList<>();
    private int refused;

    /** An invoked operation, not yet completed. */
    public final class Pending {
        private final int id;
        private final int process;
        private final String key;
        private final Kind kind;
        private final String value;
        private final long ifMatch;
        private final long invoke;

        private Pending(int process, String key, Kind kind, String value, long ifMatch) {
            this.id = ids.getAndIncrement();
            this.process = process;
            this.key = key;
            this.kind = kind;
            this.value = value;
            this.ifMatch = ifMatch;
            this.invoke = System.nanoTime();
        }

        private Op end(Status status, String outValue, long outEtag) {
            long now = System.nanoTime();
            return new Op(
                    id,
                    process,
                    key,
                    kind,
                    value,
                    ifMatch,
                    invoke,
                    status == Status.UNKNOWN ? Op.NEVER : now,
                    status,
                    outValue,
                    outEtag);
        }
    }

    public Pending invoke(int process, String key, Kind kind, String value, long ifMatch) {
        Pending p = new Pending(process, key, kind, value, ifMatch);
        synchronized (this) {
            pending.add(p);
        }
        return p;
    }

    /** A read that saw {@code value} with {@code etag} (null, {@link Op#NO_ETAG}: absent); a write with its new ETag. */
    public void ok(Pending p, String value, long etag) {
        complete(p, p.end(Status.OK, value, etag));
    }

    /** A conditional write answered 412. */
    public void fail(Pending p) {
        complete(p, p.end(Status.FAIL, null, Op.NO_ETAG));
    }

    /** No trustworthy answer. A read without an answer tells nothing and is dropped. */
    public void unknown(Pending p) {
        complete(p, p.kind == Kind.READ ? null : p.end(Status.UNKNOWN, null, Op.NO_ETAG));
    }

    /** Certainly not applied, and no observation either (503 with "not applied"): dropped, only counted. */
    public void refused(Pending p) {
        synchronized (this) {
            refused++;
        }
        complete(p, null);
    }

    private synchronized void complete(Pending p, Op op) {
        if (!pending.remove(p)) {
            throw new IllegalStateException("completed twice: #" + p.id);
        }
        if (op != null) {
            done.add(op);
        }
    }

    /** Adds an operation as it is (tests); its id is replaced by the next one. */
    public synchronized Op add(
            int process,
            String key,
            Kind kind,
            String value,
            long ifMatch,
            long invoke,
            long complete,
            Status status,
            String outValue,
            long outEtag) {
        Op op = new Op(
                ids.getAndIncrement(), process, key, kind, value, ifMatch, invoke, complete, status, outValue, outEtag);
        done.add(op);
        return op;
    }

    /** Every operation recorded so far in invoke order, the pending ones as unknown writes (reads dropped). */
    public synchronized List<Op> ops() {
        List<Op> all = new ArrayList<>(done);
        for (Pending p : pending) {
            if (p.kind != Kind.READ) {
                all.add(new Op(
                        p.id,
                        p.process,
                        p.key,
                        p.kind,
                        p.value,
                        p.ifMatch,
                        p.invoke,
                        Op.NEVER,
                        Status.UNKNOWN,
                        null,
                        Op.NO_ETAG));
            }
        }
        all.sort(Comparator.comparingLong(Op::invoke).thenComparingInt(Op::id));
        return all;
    }

    public synchronized int refusedCount() {
        return refused;
    }

    /** e.g. {@code 4211 ops (1700 reads, 2511 writes; 12 unknown, 340 failed preconditions, 3 refused)}. */
    public String summary() {
        List<Op> ops = ops();
        long reads = ops.stream().filter(o -> o.kind() == Kind.READ).count();
        long unknown = ops.stream().filter(o -> o.status() == Status.UNKNOWN).count();
        long failed = ops.stream().filter(o -> o.status() == Status.FAIL).count();
        return ops.size() + " ops (" + reads + " reads, " + (ops.size() - reads) + " writes; " + unknown + " unknown, "
                + failed + " failed preconditions, " + refusedCount() + " refused)";
    }
}
