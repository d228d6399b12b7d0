package io.microstore.persist;

import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

import io.microstore.commit.Commit;
import io.microstore.commit.CommitStream;

/**
 * A {@link CommitStream} for a load that hands the calls, in their order, to a thread of its own which
 * makes them on {@code target}: start-up reads and decodes the files on one core while the other fills
 * the index (10-15% faster at 1M apps on 2 cores, less while Helidon's own start takes one: the two sides
 * are about even and both wait for the collector; docs/BENCHMARKS.md). The target is only ever called
 * from that one thread; {@link #finish} waits until it has taken every call, so what the load leaves is
 * visible to whoever called it.
 *
 * <p>An exception the target throws stops the thread and is thrown again from the next call made here,
 * or from {@link #finish}. {@link #close} without {@link #finish} (the load failed) waits for the thread
 * to stop too, so nothing touches the target after the load has returned either way.
 */
final class PipelinedSink implements CommitStream, AutoCloseable {
    private static final int BATCH = 1024;
    /** Batches waiting at most: bounds the memory the reader can run ahead by. */
    private static final int QUEUED = 16;

    private static final Call[] END = new Call[0];

    /** One call: a restore (its name set), a replayed commit, or a reload (neither). */
    private record Call(String name, byte[] data, long seq, long expires, Commit commit) {}

    private final CommitStream target;
    private final BlockingQueue<Call[]> queue = new ArrayBlockingQueue<>(QUEUED);
    private final Thread thread;
    private volatile Throwable failure; // a RuntimeException or an Error (a full heap) the target threw
    private Call[] batch = new Call[BATCH];
    private int size;
    private boolean ended;

    PipelinedSink(CommitStream target) {
        this.target = target;
        // A daemon: should the loading thread fail before it could say END, this one must not keep the JVM up.
        this.thread =
                Thread.ofPlatform().name("microstore-load-apply").daemon(true).start(this::apply);
    }

    @Override
    public void restore(String name, byte[] data, long seq, long expires) {
        add(new Call(name, data, seq, expires, null));
    }

    @Override
    public void replayed(Commit commit) {
        add(new Call(null, null, 0, 0, commit));
    }

    @Override
    public void reload() {
        add(new Call(null, null, 0, 0, null));
    }

    /** Not part of a load: the engine says it is loaded, and commits, once the load has returned. */
    @Override
    public void loaded(long lastSeq) {
        throw new IllegalStateException("a load does not end itself");
    }

    @Override
    public void committed(List<Commit> batch) {
        throw new IllegalStateException("nothing is committed during a load");
    }

    /** Waits until the target has taken every call; throws what it threw, if anything. */
    void finish() {
        end();
        rethrowFailure();
    }

    @Override
    public void close() {
        end();
    }

    private void add(Call call) {
        rethrowFailure();
        batch[size++] = call;
        if (size == BATCH) {
            hand(batch);
            batch = new Call[BATCH];
            size = 0;
        }
    }

    private void rethrowFailure() {
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
    }

    private void end() {
        if (ended) {
            return;
        }
        ended = true;
        if (size > 0) {
            hand(batch); // its unused tail is null, where the thread stops reading it
        }
        hand(END);
        uninterruptibly(thread::join); // the target must be left alone once this returns
    }

    private void hand(Call[] calls) {
        uninterruptibly(() -> queue.put(calls)); // a batch not handed over would lose its calls
    }

    /** Loading is not interruptible: runs {@code step} to its end, then restores an interrupt it had. */
    private static void uninterruptibly(Blocking step) {
        boolean interrupted = false;
        while (true) {
            try {
                step.run();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @FunctionalInterface
    private interface Blocking {
        void run() throws InterruptedException;
    }

    private void apply() {
        while (true) {
            Call[] calls;
            try {
                calls = queue.take();
            } catch (InterruptedException e) {
                continue; // nobody interrupts this thread; END is what stops it
            }
            if (calls == END) {
                return;
            }
            if (failure != null) {
                continue; // keep taking, so the reader never blocks on a full queue
            }
            try {
                for (Call c : calls) {
                    if (c == null) {
                        break;
                    }
                    if (c.name() != null) {
                        target.restore(c.name(), c.data(), c.seq(), c.expires());
                    } else if (c.commit() != null) {
                        target.replayed(c.commit());
                    } else {
                        target.reload();
                    }
                }
            } catch (RuntimeException | Error e) {
                failure = e;
            }
        }
    }
}
