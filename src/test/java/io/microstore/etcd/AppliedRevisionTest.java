package io.microstore.etcd;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import io.microstore.store.StoreUnavailable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The waits for the index to apply a revision: each ends when its own revision is applied, not before. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AppliedRevisionTest {
    private static final Duration LONG = Duration.ofSeconds(20);

    private static CompletableFuture<Boolean> waitFor(AppliedRevision applied, long revision, Duration max) {
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                done.complete(applied.await(revision, max));
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        return done;
    }

    @Test
    void anAdvanceEndsTheWaitsItReachesAndLeavesTheOthersWaiting() throws Exception {
        AppliedRevision applied = new AppliedRevision();
        CompletableFuture<Boolean> five = waitFor(applied, 5, LONG);
        CompletableFuture<Boolean> ten = waitFor(applied, 10, LONG);
        applied.advance(5);
        assertTrue(five.get(10, TimeUnit.SECONDS));
        assertFalse(ten.isDone(), "10 is not applied yet");
        applied.advance(11);
        assertTrue(ten.get(10, TimeUnit.SECONDS));
        assertEquals(11, applied.get());
        applied.advance(3);
        assertEquals(11, applied.get(), "never moves back");
        assertTrue(applied.await(11, Duration.ZERO), "an applied revision needs no wait");
    }

    @Test
    void aWaitThatRunsOutAnswersFalseAndALaterAdvanceStillWorks() throws Exception {
        AppliedRevision applied = new AppliedRevision();
        assertFalse(applied.await(1, Duration.ofMillis(50)));
        CompletableFuture<Boolean> one = waitFor(applied, 1, LONG);
        applied.advance(1);
        assertTrue(one.get(10, TimeUnit.SECONDS));
    }

    @Test
    void closingEndsEveryOpenWaitWithUnavailable() throws Exception {
        AppliedRevision applied = new AppliedRevision();
        CompletableFuture<Boolean> waiting = waitFor(applied, 7, LONG);
        applied.close(); // before or after the wait started: it ends either way

        ExecutionException e = assertThrows(ExecutionException.class, () -> waiting.get(10, TimeUnit.SECONDS));
        assertInstanceOf(StoreUnavailable.class, e.getCause());
    }
}
