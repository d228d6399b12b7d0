package io.microstore.api.limits;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/** {@link Deadline} on a clock of the test's: its time passes without the test waiting for it. */
class DeadlineTest {
    @Test
    void aDeadlineFiresOnceItsClockHasPassedItsTime() {
        AtomicLong now = new AtomicLong();
        Deadline deadline = Deadline.arm(Duration.ofMinutes(10), now::get);
        try {
            now.addAndGet(Duration.ofMinutes(10).toNanos());
            // The fact waited on: the watchdog interrupts this thread, on its next scan.
            long giveUp = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!Thread.currentThread().isInterrupted() && System.nanoTime() - giveUp < 0) {
                LockSupport.parkNanos(Duration.ofSeconds(1).toNanos());
            }
            assertThat("the watchdog interrupted the thread", Thread.interrupted(), is(true));
            assertThat(deadline.fired(), is(true));
            assertThat("disarm says it had fired", deadline.disarm(), is(true));
        } finally {
            deadline.disarm();
            Thread.interrupted();
        }
    }

    @Test
    void aDeadlineDisarmedInTimeSaysItHadNotFired() {
        AtomicLong now = new AtomicLong();
        Deadline deadline = Deadline.arm(Duration.ofMinutes(10), now::get);
        now.addAndGet(Duration.ofMinutes(10).toNanos() - 1);
        assertThat(deadline.disarm(), is(false));
        assertThat(deadline.fired(), is(false));
    }
}
