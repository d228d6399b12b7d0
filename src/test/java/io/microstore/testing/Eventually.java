package io.microstore.testing;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The one way the tests wait: for a fact that another thread or process makes true (a client waiting
 * on the feed, a seq applied, a connection accepted, a budget charged, a writer acknowledged...),
 * checked again and again until it holds, failing the test with what it waited for when it does not
 * in time. A test never sleeps a guessed while instead: on a loaded machine the guess is too short and
 * the test flakes, on an idle one it is time lost. The timeouts are generous because a fact that holds
 * ends the wait at once; only a broken server pays them.
 *
 * <p>The checks start a millisecond apart and back off to {@link #MAX_PAUSE}, so a fact that is
 * quick to come is seen quickly and a slow one (an HTTP request per check) does not flood the server.
 * A wait that fails throws {@link AssertionError} (a test failure for JUnit); nothing here needs JUnit,
 * so the bench programs, which run without it, wait the same way.
 */
public final class Eventually {
    /** How long a fact may take when the caller does not say. */
    public static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** The longest pause between two checks. */
    static final Duration MAX_PAUSE = Duration.ofMillis(50);

    private Eventually() {}

    /** Returns once {@code fact} holds; fails with {@code what} after {@link #TIMEOUT}. */
    public static void await(String what, BooleanSupplier fact) throws InterruptedException {
        await(what, TIMEOUT, fact);
    }

    /** Returns once {@code fact} holds; fails with {@code what} after {@code timeout}. */
    public static void await(String what, Duration timeout, BooleanSupplier fact) throws InterruptedException {
        if (!within(timeout, fact)) {
            throw new AssertionError("not within " + timeout + ": " + what);
        }
    }

    /**
     * Reads {@code probe} until its value passes {@code done} and returns that value; fails with
     * {@code what} and the last value read after {@code timeout}.
     */
    public static <T> T await(String what, Duration timeout, Supplier<T> probe, Predicate<T> done)
            throws InterruptedException {
        AtomicReference<T> last = new AtomicReference<>();
        if (!within(timeout, () -> {
            T value = probe.get();
            last.set(value);
            return done.test(value);
        })) {
            throw new AssertionError("not within " + timeout + ": " + what + " (last: " + last.get() + ")");
        }
        return last.get();
    }

    /**
     * Whether {@code fact} holds within {@code timeout}: for a loop that stops at a bound as a normal
     * end (records for at most so long), not as a failure.
     */
    public static boolean within(Duration timeout, BooleanSupplier fact) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = Duration.ofMillis(1).toNanos();
        while (!fact.getAsBoolean()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            Thread.sleep(Duration.ofNanos(Math.min(pause, left))); // the pause between two checks of a fact
            pause = Math.min(pause * 2, MAX_PAUSE.toNanos());
        }
        return true;
    }

    /**
     * Checks that {@code condition} stays true for {@code window}, failing with {@code what} the moment it
     * does not. For a claim that something does <em>not</em> happen (a long-poll not answered by a change
     * it must ignore), which no fact can end early: the window only bounds how long the test looks, so a
     * slow machine makes the check less searching, never flaky. Wait first for the facts that make the
     * window meaningful (the client is waiting, the ignored change is committed).
     */
    public static void holds(String what, Duration window, BooleanSupplier condition) throws InterruptedException {
        if (within(window, () -> !condition.getAsBoolean())) {
            throw new AssertionError("within " + window + ", no longer true: " + what);
        }
    }
}
