package io.superflux.internal.stage.position;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.superflux.retry.Backoff;
import io.superflux.retry.Stage;

class FetchRestTest {
    private static final Stage RETRY_1 = new Stage(1, "t-retry-1", "g-retry-1", Stage.Kind.RETRY);

    @Test
    void aRetryStageRestsHalfItsShortestWaitAtMostThirtySeconds() {
        assertEquals(8_000L, new FetchRest(RETRY_1, Backoff.standard(), 1.0).restMillis()); // 16 s → 8 s
        assertEquals(30_000L, new FetchRest(RETRY_1, Backoff.fixed(Duration.ofMinutes(5)), 1.0).restMillis()); // capped
        assertEquals(2_000L, new FetchRest(RETRY_1, Backoff.fixed(Duration.ofSeconds(4)), 1.0).restMillis());
        assertEquals(0L, new FetchRest(RETRY_1, Backoff.standard(), 0.01).restMillis()); // 160 ms → 80 ms: too short
        assertEquals(0L, new FetchRest(RETRY_1, Backoff.fixed(Duration.ofMillis(150)), 1.0).restMillis());
    }

    @Test
    void mainDeadLetterAndCustomPolicyStagesNeverRest() {
        Backoff custom = (stage, random) -> Duration.ofMinutes(10); // no shortestDelayBefore: zero
        assertEquals(0L, new FetchRest(RETRY_1, custom, 1.0).restMillis());
        assertEquals(5_000L, new FetchRest(RETRY_1, custom, 1.0).millisUntilWake(0, 5_000)); // nor shorten the poll
        assertEquals(0L, new FetchRest(new Stage(0, "t", "g", Stage.Kind.MAIN), Backoff.standard(), 1.0).restMillis());
        assertEquals(0L, new FetchRest(new Stage(6, "t-dlq", "g-dlq", Stage.Kind.DEAD_LETTER), Backoff.standard(), 1.0).restMillis());
    }

    @Test
    void anEmptyPollAfterTheSweepHadTimeStartsARestThatEndsOnTime() {
        FetchRest rest = new FetchRest(RETRY_1, Backoff.standard(), 1.0);
        rest.nothingFetched(100, () -> true); // the first sweep (from 0) has not lasted 150 ms: a fetch may still be on its way
        assertFalse(rest.resting(100));
        rest.nothingFetched(200, () -> true);
        assertTrue(rest.resting(200));
        assertEquals(500L, rest.millisUntilWake(1_200, 500));
        assertEquals(300L, rest.millisUntilWake(7_900, 500));
        assertTrue(rest.resting(8_199));
        assertFalse(rest.resting(8_200)); // time is up: a sweep begins
        rest.nothingFetched(8_300, () -> true); // 100 ms into the new sweep: keep fetching
        assertFalse(rest.resting(8_300));
        rest.nothingFetched(8_350, () -> true);
        assertTrue(rest.resting(8_350));
    }

    @Test
    void aStageRestsOnlyOnceTheBrokerSaidItsPartitionsHaveNothingMore() {
        FetchRest rest = new FetchRest(RETRY_1, Backoff.standard(), 1.0);
        // Just assigned (a restarted worker): polls come back empty before the first fetch answered,
        // while due records wait. Resting now would delay them by a whole rest.
        rest.nothingFetched(1_000, () -> false);
        assertFalse(rest.resting(1_000));
        rest.nothingFetched(3_000, () -> false);
        assertFalse(rest.resting(3_000));
        rest.nothingFetched(3_100, () -> true);
        assertTrue(rest.resting(3_100));
    }

    @Test
    void aReleasedPartitionEndsTheRestAtOnce() {
        FetchRest rest = new FetchRest(RETRY_1, Backoff.standard(), 1.0);
        rest.nothingFetched(1_000, () -> true);
        assertTrue(rest.resting(1_000));
        rest.wake(2_000);
        assertFalse(rest.resting(2_000));
        // Sweeping: the poll comes back within 200 ms, so that an empty sweep can end in a rest
        // (a longer poll would go on fetching inside the consumer).
        assertEquals(200L, rest.millisUntilWake(2_000, 5_000));
        assertEquals(100L, rest.millisUntilWake(2_000, 100));
    }

    @Test
    void theBuiltInPoliciesKnowTheirShortestWait() {
        assertEquals(Duration.ofSeconds(16), Backoff.standard().shortestDelayBefore(1));
        assertEquals(Duration.ofSeconds(31), Backoff.standard().shortestDelayBefore(2));
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 200; i++) {
            assertTrue(Backoff.standard().delayBefore(2, random).compareTo(Backoff.standard().shortestDelayBefore(2)) >= 0);
        }
        assertEquals(Duration.ofSeconds(4), Backoff.exponential(Duration.ofSeconds(1), 2, Duration.ofMinutes(1)).shortestDelayBefore(3));
    }
}
