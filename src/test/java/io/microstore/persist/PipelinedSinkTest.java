package io.microstore.persist;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.microstore.commit.Change;
import io.microstore.commit.Commit;
import io.microstore.commit.CommitStream;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

class PipelinedSinkTest {
    /** Records every call as text, and which threads made them. */
    private static class Recording implements CommitStream {
        final List<String> calls = new ArrayList<>(); // one thread only writes it, by the contract under test
        final Set<Thread> threads = ConcurrentHashMap.newKeySet();

        @Override
        public void restore(String name, byte[] data, long seq, long expires) {
            record("restore " + name + " " + new String(data) + " " + seq + " " + expires);
        }

        @Override
        public void replayed(Commit commit) {
            Change change = commit.only();
            record("replay " + commit.seq() + " " + change.name() + " "
                    + (change.isDelete() ? "delete" : new String(change.data())) + " " + change.expires());
        }

        @Override
        public void reload() {
            record("reset");
        }

        @Override
        public void loaded(long lastSeq) {
            record("loaded");
        }

        @Override
        public void committed(List<Commit> batch) {
            record("committed");
        }

        void record(String call) {
            threads.add(Thread.currentThread());
            calls.add(call);
        }
    }

    @Test
    void everyCallReachesTheTargetInOrderFromOneOtherThreadBeforeFinishReturns() {
        Recording target = new Recording();
        List<String> expected = new ArrayList<>();
        try (PipelinedSink sink = new PipelinedSink(target)) {
            for (int i = 0; i < 5000; i++) { // several batches and a partial last one
                switch (i % 4) {
                    case 0 -> {
                        sink.restore("a" + i, "{}".getBytes(), i, 7);
                        expected.add("restore a" + i + " {} " + i + " 7");
                    }
                    case 1 -> {
                        sink.replayed(Commit.of(i, Change.put("b" + i, "[1]".getBytes())));
                        expected.add("replay " + i + " b" + i + " [1] 0");
                    }
                    case 2 -> {
                        sink.replayed(Commit.of(i, Change.delete("c" + i)));
                        expected.add("replay " + i + " c" + i + " delete 0");
                    }
                    default -> {
                        sink.reload();
                        expected.add("reset");
                    }
                }
            }
            sink.finish();
        }
        assertEquals(expected, target.calls);
        assertEquals(1, target.threads.size());
        assertFalse(target.threads.contains(Thread.currentThread()));
    }

    @Test
    void whatTheTargetThrowsComesBackFromTheNextCallOrFromFinishWithoutBlockingTheReader() {
        IllegalStateException boom = new IllegalStateException("boom");
        Recording target = new Recording() {
            @Override
            public void restore(String name, byte[] data, long seq, long expires) {
                if (seq == 3) {
                    throw boom;
                }
                super.restore(name, data, seq, expires);
            }
        };
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (PipelinedSink sink = new PipelinedSink(target)) {
                RuntimeException thrown = assertThrows(RuntimeException.class, () -> {
                    for (int i = 0; i < 1_000_000; i++) { // far more than the queue holds: it must not block
                        sink.restore("a" + i, "1".getBytes(), i, 0);
                    }
                    sink.finish();
                });
                assertSame(boom, thrown);
                assertSame(boom, assertThrows(RuntimeException.class, sink::finish));
            }
        });
        assertEquals(3, target.calls.size()); // nothing after the failure was applied
    }

    @Test
    void aFullHeapInTheTargetIsThrownAsItself() {
        OutOfMemoryError full = new OutOfMemoryError("Java heap space");
        CommitStream target = new Recording() {
            @Override
            public void replayed(Commit commit) {
                throw full;
            }
        };
        try (PipelinedSink sink = new PipelinedSink(target)) {
            sink.replayed(Commit.of(1, Change.put("a", "1".getBytes())));
            assertSame(full, assertThrows(OutOfMemoryError.class, sink::finish));
        }
    }

    @Test
    void closeWithoutFinishStillWaitsForEveryCallHandedOver() {
        Recording target = new Recording() {
            @Override
            public void restore(String name, byte[] data, long seq, long expires) {
                Thread.onSpinWait(); // a slow target: the reader is ahead when it closes
                super.restore(name, data, seq, expires);
            }
        };
        PipelinedSink sink = new PipelinedSink(target);
        for (int i = 0; i < 3000; i++) {
            sink.restore("a" + i, "1".getBytes(), i, 0);
        }
        sink.close(); // as when recovery throws: the target must be left alone once this returns
        int applied = target.calls.size();
        assertEquals(3000, applied);
        sink.close(); // twice is harmless
        assertEquals(applied, target.calls.size());
    }
}
