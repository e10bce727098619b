package io.superflux.internal.stage.environment;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * Where a stage's engine reads the time and waits: the system clock and {@link Thread#sleep} in
 * production, a simulated clock in the deterministic simulation, where a wait lets the simulated
 * world move on instead of the thread sleeping. A {@link Clock} (UTC) for the parts that only read
 * the time.
 */
public abstract class StageTime extends Clock {
    /** The system clock; waits sleep the calling thread. */
    public static final StageTime SYSTEM = new StageTime() {
        @Override
        public long millis() {
            return System.currentTimeMillis();
        }

        @Override
        public long nanos() {
            return System.nanoTime();
        }

        @Override
        public void sleep(long millis) throws InterruptedException {
            Thread.sleep(millis);
        }
    };

    /** Milliseconds since the epoch. */
    @Override
    public abstract long millis();

    /** A monotonic reading in nanoseconds, for deadlines (only differences mean anything). */
    public abstract long nanos();

    /** Waits {@code millis} milliseconds on the calling thread; an interrupt ends the wait. */
    public abstract void sleep(long millis) throws InterruptedException;

    @Override
    public final Instant instant() {
        return Instant.ofEpochMilli(millis());
    }

    @Override
    public final ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public final Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("a stage's time is UTC");
    }
}
