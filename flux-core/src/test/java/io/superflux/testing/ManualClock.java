package io.superflux.testing;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock a test moves by hand: time-based logic tested without sleeping. */
public final class ManualClock extends Clock {
    private long millis;

    public ManualClock(long millis) {
        this.millis = millis;
    }

    /** Moves the clock {@code delta} ms on. */
    public void advance(long delta) {
        millis += delta;
    }

    /** Sets the time. */
    public void set(long millis) {
        this.millis = millis;
    }

    @Override
    public long millis() {
        return millis;
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
