package io.superflux.internal.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** Due-time logic with a clock the test moves: no sleeping. */
class DueTimeThrottleTest {
    private static final TopicPartition P0 = new TopicPartition("t-g-try-1", 0);
    private static final TopicPartition P1 = new TopicPartition("t-g-try-1", 1);

    /** A clock that only moves when told to. */
    private static final class ManualClock extends Clock {
        private long millis;

        ManualClock(long millis) {
            this.millis = millis;
        }

        void advance(long by) {
            millis += by;
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

    @Test
    void aRecordIsNeverDueEarly() {
        ManualClock clock = new ManualClock(1_000);
        DueTimeThrottle throttle = new DueTimeThrottle(clock);
        assertFalse(throttle.isDue(1_001));
        clock.advance(1);
        assertTrue(throttle.isDue(1_001), "due exactly at its time");
        assertTrue(throttle.isDue(0));
    }

    @Test
    void aHeldPartitionIsReleasedAtItsDueTimeAndNotBefore() {
        ManualClock clock = new ManualClock(1_000);
        DueTimeThrottle throttle = new DueTimeThrottle(clock);
        throttle.hold(P0, 1_500);
        assertTrue(throttle.isHeld(P0));
        assertFalse(throttle.isHeld(P1), "other partitions are not held");
        assertEquals(500, throttle.millisUntilNextRelease(10_000));
        assertEquals(100, throttle.millisUntilNextRelease(100), "never waits longer than asked");

        clock.advance(499);
        assertEquals(List.of(), throttle.releaseDue());
        assertEquals(1, throttle.millisUntilNextRelease(10_000));
        clock.advance(1);
        assertEquals(List.of(P0), throttle.releaseDue());
        assertFalse(throttle.isHeld(P0));
        assertEquals(10_000, throttle.millisUntilNextRelease(10_000));
    }

    @Test
    void partitionsAreReleasedIndependently() {
        ManualClock clock = new ManualClock(0);
        DueTimeThrottle throttle = new DueTimeThrottle(clock);
        throttle.hold(P0, 5_000);
        throttle.hold(P1, 200);
        assertEquals(200, throttle.millisUntilNextRelease(10_000));
        clock.advance(200);
        assertEquals(List.of(P1), throttle.releaseDue());
        assertEquals(Set.of(P0), throttle.held());
        assertEquals(4_800, throttle.millisUntilNextRelease(10_000));
    }

    @Test
    void revokedPartitionsAreForgotten() {
        ManualClock clock = new ManualClock(0);
        DueTimeThrottle throttle = new DueTimeThrottle(clock);
        throttle.hold(P0, 5_000);
        throttle.hold(P1, 5_000);
        throttle.drop(List.of(P0));
        assertEquals(Set.of(P1), throttle.held());
        clock.advance(5_000);
        assertEquals(List.of(P1), throttle.releaseDue());
    }

    @Test
    void aLaterHoldReplacesAnEarlierOne() {
        ManualClock clock = new ManualClock(0);
        DueTimeThrottle throttle = new DueTimeThrottle(clock);
        throttle.hold(P0, 100);
        throttle.hold(P0, 300);
        clock.advance(100);
        assertEquals(List.of(), throttle.releaseDue());
        clock.advance(200);
        assertEquals(List.of(P0), throttle.releaseDue());
    }
}
