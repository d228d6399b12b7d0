package io.microstore.etcd;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import io.microstore.etcd.gateway.EtcdClient;
import io.microstore.etcd.gateway.EtcdException;
import io.microstore.etcd.gateway.EtcdRejected;
import io.microstore.etcd.gateway.RequestOp;
import io.microstore.etcd.gateway.TxnResult;

/**
 * Group commit for unconditional writes: concurrent txns that compare nothing and only put go to etcd as
 * one txn, so they cost etcd one request, one raft entry and one watch event instead of one each (etcd
 * spends most of a small write's CPU per request, not per key: measured in docs/CLUSTER.md).
 *
 * <p>A write is sent at once while no batch of this instance is with etcd; otherwise it joins the oldest
 * waiting batch it fits in (no key twice, as etcd refuses that, and within
 * {@link #MAX_OPS} and {@link #MAX_BYTES}), or starts a new one, whose first writer sends it when its turn
 * comes. So a lone writer never waits, and batches grow only while etcd is busy.
 *
 * <p>Nothing a write promises changes: a put without compares cannot fail, so no write can make another
 * fail; each gets its own responses, and they share one revision, as the apps of one transaction do (a
 * stronger grouping than concurrent requests are owed, and on the feed one seq with several changes). A
 * failure is every member's: an outcome etcd left unknown is unknown for each. A batch etcd refuses as too
 * large (its --max-request-bytes can be set below {@link #MAX_BYTES}) is sent again one write at a time,
 * so each write gets its own answer.
 */
final class PutBatches {
    /** Ops in one batch, well below etcd's default --max-txn-ops of 128. */
    private static final int MAX_OPS = 64;
    /** Bytes of keys and values in one batch, well below etcd's default --max-request-bytes of 1.5 MiB. */
    private static final int MAX_BYTES = 256 * 1024;

    private final EtcdClient client;
    private final int maxOps;
    private final int maxBytes;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition turn = lock.newCondition();
    private final ArrayDeque<Batch> waiting = new ArrayDeque<>();
    /**
     * Whether a batch is with etcd. One at a time: with 2 instances at 32 connections each, one gave more
     * writes/s than 2, 4 or 8 (larger batches, and less CPU per write in etcd and in the instances, whose
     * watches then apply fewer revisions), and a lone write still goes at once.
     */
    private boolean sending;

    PutBatches(EtcdClient client) {
        this(client, MAX_OPS, MAX_BYTES);
    }

    PutBatches(EtcdClient client, int maxOps, int maxBytes) {
        this.client = client;
        this.maxOps = maxOps;
        this.maxBytes = maxBytes;
    }

    /** Whether {@code ops} (a txn's success branch, with no compares) may join others: puts only. */
    static boolean batchable(List<RequestOp> ops) {
        for (RequestOp op : ops) {
            if (!(op instanceof RequestOp.Put)) {
                return false;
            }
        }
        return !ops.isEmpty();
    }

    /** Puts {@code ops} (see {@link #batchable}) in one revision; their responses, in their order. */
    TxnResult put(List<RequestOp> ops) throws EtcdException {
        Batch batch;
        int from;
        lock.lock();
        try {
            if (waiting.isEmpty() && !sending) {
                sending = true;
                batch = null;
                from = 0;
            } else {
                batch = join(ops);
                from = batch.add(ops);
                if (from == 0) { // its first writer sends it
                    while (waiting.peekFirst() != batch || sending) {
                        turn.awaitUninterruptibly();
                    }
                    waiting.removeFirst();
                    sending = true;
                }
            }
        } finally {
            lock.unlock();
        }
        if (batch == null) {
            try {
                return client.txn(List.of(), ops, List.of());
            } finally {
                sent();
            }
        }
        if (from == 0) {
            batch.send();
        }
        return batch.responsesOf(from, ops);
    }

    /** The oldest waiting batch {@code ops} fits in, or a new one; under the lock. */
    private Batch join(List<RequestOp> ops) {
        for (Batch batch : waiting) {
            if (batch.fits(ops)) {
                return batch;
            }
        }
        Batch batch = new Batch();
        waiting.addLast(batch);
        return batch;
    }

    private void sent() {
        lock.lock();
        try {
            sending = false;
            turn.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Writes that go as one txn; filled under the lock until its first writer takes it out of the queue. */
    private final class Batch {
        private final List<RequestOp> ops = new ArrayList<>();
        private final Set<ByteBuffer> keys = new HashSet<>();
        private final CompletableFuture<TxnResult> result = new CompletableFuture<>();
        private int bytes;

        boolean fits(List<RequestOp> more) {
            if (ops.size() + more.size() > maxOps || bytes + bytes(more) > maxBytes) {
                return false;
            }
            for (RequestOp op : more) {
                if (keys.contains(ByteBuffer.wrap(((RequestOp.Put) op).key()))) {
                    return false;
                }
            }
            return true;
        }

        /** Adds {@code more}; returns the position of its first op. */
        int add(List<RequestOp> more) {
            int from = ops.size();
            ops.addAll(more);
            bytes += bytes(more);
            for (RequestOp op : more) {
                keys.add(ByteBuffer.wrap(((RequestOp.Put) op).key()));
            }
            return from;
        }

        /** Sends the batch (by its first writer, once it left the queue: nothing joins it any more). */
        void send() {
            try {
                result.complete(client.txn(List.of(), ops, List.of()));
            } catch (Throwable e) { // every member learns it, whatever it is, rather than wait forever
                result.completeExceptionally(e);
                if (e instanceof Error error) {
                    throw error;
                }
            } finally {
                sent();
            }
        }

        /** The responses to {@code mine}, at {@code from} in the batch, once it is answered. */
        TxnResult responsesOf(int from, List<RequestOp> mine) throws EtcdException {
            TxnResult all;
            try {
                // uninterruptibly: the write is with etcd, and the client's timeouts bound how long its
                // answer (or the verdict that it is unknown) takes
                all = result.join();
            } catch (CompletionException e) {
                if (e.getCause() instanceof EtcdRejected r && EtcdErrors.tooLarge(r) && ops.size() > mine.size()) {
                    return client.txn(List.of(), mine, List.of());
                }
                throw rethrown(e.getCause());
            }
            if (ops.size() == mine.size()) {
                return all;
            }
            return new TxnResult(
                    all.succeeded(), all.revision(), List.copyOf(all.responses().subList(from, from + mine.size())));
        }
    }

    private static EtcdException rethrown(Throwable cause) {
        if (cause instanceof EtcdException e) {
            return e;
        }
        if (cause instanceof RuntimeException e) {
            throw e;
        }
        throw new IllegalStateException(cause);
    }

    private static int bytes(List<RequestOp> ops) {
        int bytes = 0;
        for (RequestOp op : ops) {
            RequestOp.Put put = (RequestOp.Put) op;
            bytes += put.key().length + put.value().length;
        }
        return bytes;
    }
}
