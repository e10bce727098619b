package io.superflux.internal.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.superflux.task.OutageProtection;

class OutageBreakerTest {
    private final OutageBreaker breaker = new OutageBreaker(OutageProtection.standard().failureRate(0.8).minimumCalls(10)
            .window(Duration.ofSeconds(10)).firstProbe(Duration.ofSeconds(1)).maxProbeInterval(Duration.ofSeconds(4)));

    @Test
    void itTripsOnlyOnceTheWindowHoldsEnoughCallsAtTheRate() {
        long now = 1_000_000;
        for (int i = 0; i < 9; i++) {
            assertFalse(breaker.failed(now + i, false), "9 calls are below the minimum");
        }
        assertTrue(breaker.failed(now + 9, false), "10 failures of 10");
        assertTrue(breaker.isOpen());
        assertEquals(now + 9 + 1_000, breaker.nextProbeAt());
    }

    @Test
    void successesKeepTheRateBelowTheThresholdAndOldCallsLeaveTheWindow() {
        long now = 1_000_000;
        for (int i = 0; i < 30; i++) {
            boolean fails = i % 4 != 0; // 75 % failures: below 80 %
            if (fails) {
                assertFalse(breaker.failed(now + i * 10, false));
            } else {
                breaker.succeeded(now + i * 10, false);
            }
        }
        long later = now + 20_000; // all of that is out of the window now
        for (int i = 0; i < 9; i++) {
            assertFalse(breaker.failed(later + i, false), "only " + (i + 1) + " calls in the window");
        }
    }

    @Test
    void probesComeOneAtATimeAtDoublingIntervalsAndTheFirstSuccessCloses() {
        long now = 1_000_000;
        for (int i = 0; i < 10; i++) {
            breaker.failed(now, false);
        }
        assertTrue(breaker.holding(now + 999));
        assertTrue(breaker.probeDue(now + 1_000));
        breaker.probeStarted();
        assertTrue(breaker.holding(now + 1_000), "one probe at a time");
        assertFalse(breaker.succeeded(now + 1_001, false), "a success that is not the probe changes nothing");
        assertTrue(breaker.failed(now + 1_010, true));
        assertEquals(now + 1_010 + 2_000, breaker.nextProbeAt(), "doubled");
        breaker.probeStarted();
        breaker.failed(now + 3_010, true);
        breaker.probeStarted();
        breaker.failed(now + 7_010, true);
        assertEquals(now + 7_010 + 4_000, breaker.nextProbeAt(), "capped at the longest interval");
        assertEquals(3, breaker.probesFailed());
        breaker.probeStarted();
        assertTrue(breaker.succeeded(now + 11_010, true));
        assertFalse(breaker.isOpen());
        assertFalse(breaker.failed(now + 11_020, false), "the window starts afresh after an outage");
    }

    @Test
    void anInconclusiveProbeLetsAnotherRecordProbeAtOnce() {
        long now = 1_000_000;
        for (int i = 0; i < 10; i++) {
            breaker.failed(now, false);
        }
        breaker.probeStarted();
        breaker.probeInconclusive(now + 1_500);
        assertTrue(breaker.probeDue(now + 1_500));
    }
}
