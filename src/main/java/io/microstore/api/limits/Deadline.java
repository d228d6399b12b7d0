package io.microstore.api.limits;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

import io.microstore.threads.EssentialThread;

/**
 * A time limit on what one connection thread is reading from its client (the rest of the headers, a
 * body). Helidon's connections read with blocking sockets and no read timeout, and its idle check only
 * stops a connection waiting for its next request line; so a watchdog interrupts a thread whose deadline
 * passed, which closes its socket channel (as Helidon's own forced close does) and frees its thread,
 * connection and budget. The watchdog is essential: should it end, {@link ServerHealth} is DOWN.
 */
final class Deadline {
    private static final System.Logger LOG = System.getLogger(Deadline.class.getName());
    private static final long SCAN_NANOS = Duration.ofMillis(200).toNanos();
    private static final Map<Thread, Deadline> ARMED = new ConcurrentHashMap<>();
    private static volatile EssentialThread watchdog;

    private final Thread thread;
    private final LongSupplier clock;
    private final long dueNanos;
    private boolean armed = true;
    private boolean fired;

    private Deadline(Thread thread, LongSupplier clock, long dueNanos) {
        this.thread = thread;
        this.clock = clock;
        this.dueNanos = dueNanos;
    }

    /** Arms a deadline for the current thread, replacing one it had. */
    static Deadline arm(Duration timeout) {
        return arm(timeout, System::nanoTime);
    }

    /**
     * {@link #arm(Duration)} on {@code clock}, a source of nanoseconds like {@link System#nanoTime}: a
     * test's, so that time can pass without waiting for it.
     */
    static Deadline arm(Duration timeout, LongSupplier clock) {
        startWatchdog();
        Deadline deadline = new Deadline(Thread.currentThread(), clock, clock.getAsLong() + timeout.toNanos());
        Deadline old = ARMED.put(deadline.thread, deadline);
        if (old != null) {
            old.disarm();
        }
        return deadline;
    }

    /** Disarms the current thread's deadline, if any. */
    static void disarmCurrent() {
        Deadline deadline = ARMED.get(Thread.currentThread());
        if (deadline != null) {
            deadline.disarm();
        }
    }

    /** Stops the watch; true when it had already fired (the thread's socket is then closed). */
    synchronized boolean disarm() {
        armed = false;
        ARMED.remove(thread, this);
        return fired;
    }

    synchronized boolean fired() {
        return fired;
    }

    private synchronized void fireIfDue() {
        if (armed && clock.getAsLong() - dueNanos >= 0) {
            armed = false;
            fired = true;
            ARMED.remove(thread, this);
            thread.interrupt();
        }
    }

    /** One daemon thread for every server in the JVM; it only scans the armed deadlines. */
    private static void startWatchdog() {
        if (watchdog == null) {
            synchronized (Deadline.class) {
                if (watchdog == null) {
                    watchdog = EssentialThread.start(
                            "microstore-deadlines", "the watchdog of the header and body time limits", Deadline::watch);
                }
            }
        }
    }

    /** Why time limits are no longer enforced (the watchdog has ended), or null. */
    static String failure() {
        EssentialThread running = watchdog;
        return running == null ? null : running.failure();
    }

    /** The watchdog thread, started if it was not yet; for the tests of this package. */
    static Thread watchdogThread() {
        startWatchdog();
        return watchdog.thread();
    }

    /** For the tests of this package: a new watchdog in place of one a test has ended. */
    static synchronized void replaceWatchdog() {
        watchdog = null;
        startWatchdog();
    }

    private static void watch() {
        while (!Thread.currentThread().isInterrupted()) { // nothing interrupts it but a test: it then ends
            LockSupport.parkNanos(SCAN_NANOS);
            try {
                for (Deadline deadline : ARMED.values()) {
                    deadline.fireIfDue();
                }
            } catch (Throwable e) { // one failed scan (the heap ran short) must not end every time limit for good
                EssentialThread.survived(LOG, "a scan of the deadlines", e);
            }
        }
    }
}
