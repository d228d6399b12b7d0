package io.microstore.threads;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A platform thread microstore cannot do without (the local writer, the changes feed's dispatcher, the
 * expirer, the HTTP deadline watchdog). Its loop logs what it can survive and goes on ({@link #survived});
 * should the thread end all the same, {@link #failure} says which and why, so that health says DOWN
 * instead of the process going on half dead.
 */
public final class EssentialThread {
    private static final System.Logger LOG = System.getLogger(EssentialThread.class.getName());
    /** The pause after a failed pass, so that a fault that repeats does not spin a core. */
    private static final long PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final String role;
    private final Thread thread;
    private volatile Throwable cause;

    private EssentialThread(String name, String role, Runnable loop) {
        this.role = role;
        this.thread = Thread.ofPlatform().name(name).daemon(true).unstarted(() -> run(loop));
    }

    /** Runs {@code loop} on a daemon platform thread named {@code name}; {@code role} names it for health. */
    public static EssentialThread start(String name, String role, Runnable loop) {
        EssentialThread essential = new EssentialThread(name, role, loop);
        essential.thread.start();
        return essential;
    }

    public Thread thread() {
        return thread;
    }

    /**
     * Null while the thread runs; once it has ended, what ended and why. Its owner asks only while it has
     * not stopped the thread itself.
     */
    public String failure() {
        if (thread.isAlive()) {
            return null;
        }
        Throwable died = cause;
        return role + " (thread " + thread.getName() + ") has stopped" + (died == null ? "" : " after " + died)
                + "; restart microstore";
    }

    /**
     * Logs a failed pass of a loop that goes on after it (the heap ran short once, a bug hit one item),
     * then pauses a little.
     */
    public static void survived(System.Logger log, String what, Throwable failure) {
        try {
            log.log(System.Logger.Level.ERROR, what + " failed; going on", failure);
        } catch (Throwable ignored) {
            // logging needs memory too: going on matters more than the message
        }
        LockSupport.parkNanos(PAUSE_NANOS);
    }

    private void run(Runnable loop) {
        try {
            loop.run();
        } catch (Throwable t) {
            cause = t;
            try {
                LOG.log(
                        System.Logger.Level.ERROR,
                        role + " (thread " + thread.getName() + ") has stopped; "
                                + "health is DOWN until microstore is restarted",
                        t);
            } catch (Throwable ignored) {
                // the cause is kept for health all the same
            }
        }
    }
}
