package io.superflux.internal.stage.outage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.superflux.task.OutageProtection;

/** The failure rate over the window: records, not attempts, and failures of many keys. */
class OutageBreakerTest {
    private final OutageBreaker breaker = new OutageBreaker(OutageProtection.standard().failureRate(0.8).minimumCalls(10)
            .window(Duration.ofSeconds(10)));

    @Test
    void itTripsOnlyOnceTheWindowHoldsEnoughRecordsAtTheRateFromEnoughKeys() {
        long now = 1_000_000;
        for (int i = 0; i < 9; i++) {
            breaker.record(now + i, true, i);
            assertFalse(breaker.trips(now + i), "9 records are below the minimum");
        }
        breaker.record(now + 9, true, 9);
        assertTrue(breaker.trips(now + 9), "10 failures of 10, from 10 keys");
    }

    @Test
    void failuresOfOneKeyAloneNeverTripIt() {
        long now = 1_000_000;
        for (int i = 0; i < 50; i++) {
            breaker.record(now + i, true, 42);
        }
        assertFalse(breaker.trips(now + 50), "one key failing is that key's problem, not a dependency's");
        assertEquals(3, OutageBreaker.minimumKeys(10));
        breaker.record(now + 51, true, 1);
        assertFalse(breaker.trips(now + 51));
        breaker.record(now + 52, true, 2);
        assertTrue(breaker.trips(now + 52), "three different keys");
    }

    @Test
    void successesKeepTheRateBelowTheThresholdAndOldRecordsLeaveTheWindow() {
        long now = 1_000_000;
        for (int i = 0; i < 30; i++) {
            breaker.record(now + i * 10, i % 4 != 0, i); // 75 % failures: below 80 %
            assertFalse(breaker.trips(now + i * 10));
        }
        long later = now + 20_000; // all of that is out of the window now
        for (int i = 0; i < 9; i++) {
            breaker.record(later + i, true, i);
            assertFalse(breaker.trips(later + i), "only " + (i + 1) + " records in the window");
        }
    }

    @Test
    void theStandardPolicyNeedsFiveKeys() {
        assertEquals(5, OutageBreaker.minimumKeys(OutageProtection.standard().minimumCalls()));
        assertEquals(1, OutageBreaker.minimumKeys(1));
    }
}
