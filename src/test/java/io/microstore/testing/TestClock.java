package io.microstore.testing;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicLong;

/** A clock that stands still until the test moves it on: the clock of expiry in the tests of the local engine. */
public final class TestClock implements InstantSource {
    /** 2026-01-01T00:00:00.250Z: a quarter second past a whole one, so that cutting to seconds shows. */
    public static final Instant START = Instant.parse("2026-01-01T00:00:00.250Z");

    private final AtomicLong millis;

    public TestClock() {
        this(START);
    }

    public TestClock(Instant start) {
        this.millis = new AtomicLong(start.toEpochMilli());
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis.get());
    }

    @Override
    public long millis() {
        return millis.get();
    }

    /** Moves the clock on by {@code by}; returns the new time in epoch milliseconds. */
    public long advance(Duration by) {
        return millis.addAndGet(by.toMillis());
    }
}
