package io.superflux.retry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class BackoffTest {

    /** The seed's table: stage 1 ≈ 45 s, 2 ≈ 1.2 min, 3 ≈ 2.6 min, 5 ≈ 12.1 min, 10 ≈ 2.8 h, 25 ≈ 4.5 days. */
    @Test
    void standardMatchesTheSeedTable() {
        Backoff backoff = Backoff.standard();
        assertEquals(45.0, seconds(backoff.expectedDelayBefore(1)), 0.5);
        assertEquals(1.2, seconds(backoff.expectedDelayBefore(2)) / 60, 0.05);
        assertEquals(2.6, seconds(backoff.expectedDelayBefore(3)) / 60, 0.05);
        assertEquals(12.1, seconds(backoff.expectedDelayBefore(5)) / 60, 0.05);
        assertEquals(2.8, seconds(backoff.expectedDelayBefore(10)) / 3600, 0.05);
        assertEquals(4.5, seconds(backoff.expectedDelayBefore(25)) / 86400, 0.05);
        double total = 0;
        for (int n = 1; n <= 25; n++) {
            total += seconds(backoff.expectedDelayBefore(n));
        }
        assertEquals(25.0, total / 86400, 0.5, "cumulative ≈ 25 days");
    }

    /** Every stage 1..25: the sampled mean within 1% of n⁴+15+14.5(n+1), and min/max of r = 0 and r = 29. */
    @Test
    void everyStageSamplesWithinOnePercentOfItsExpectationAndWithinItsBounds() {
        Backoff backoff = Backoff.standard();
        SplittableRandom random = new SplittableRandom(7);
        for (int n = 1; n <= 25; n++) {
            double expected = Math.pow(n, 4) + 15 + 14.5 * (n + 1);
            assertEquals(expected, seconds(backoff.expectedDelayBefore(n)), 1e-9, "closed form, stage " + n);
            long min = Long.MAX_VALUE;
            long max = Long.MIN_VALUE;
            double sum = 0;
            int draws = 20_000;
            for (int i = 0; i < draws; i++) {
                long s = backoff.delayBefore(n, random).toSeconds();
                min = Math.min(min, s);
                max = Math.max(max, s);
                sum += s;
                assertEquals(0, (s - (long) Math.pow(n, 4) - 15) % (n + 1), "r·(n+1) with whole r, stage " + n);
            }
            assertEquals(expected, sum / draws, expected * 0.01, "mean of stage " + n);
            assertEquals((long) Math.pow(n, 4) + 15, min, "min of stage " + n);
            assertEquals((long) Math.pow(n, 4) + 15 + 29L * (n + 1), max, "max of stage " + n);
            assertEquals(Duration.ofSeconds(min), StandardBackoff.minDelayBefore(n));
            assertEquals(Duration.ofSeconds(max), Backoff.standard().longestDelayBefore(n));
        }
    }

    @Test
    void fixedExponentialAndCustomPolicies() {
        SplittableRandom random = new SplittableRandom(1);
        assertEquals(Duration.ofSeconds(3), Backoff.fixed(Duration.ofSeconds(3)).delayBefore(7, random));
        Backoff exponential = Backoff.exponential(Duration.ofSeconds(1), 2.0, Duration.ofSeconds(10));
        assertEquals(Duration.ofSeconds(1), exponential.delayBefore(1, random));
        assertEquals(Duration.ofSeconds(2), exponential.delayBefore(2, random));
        assertEquals(Duration.ofSeconds(8), exponential.delayBefore(4, random));
        assertEquals(Duration.ofSeconds(10), exponential.delayBefore(5, random), "capped");
        assertEquals(Duration.ofSeconds(10), exponential.delayBefore(60, random), "capped, no overflow");
        Backoff custom = (stage, r) -> Duration.ofMillis(100L * stage + r.nextInt(2));
        double expected = custom.expectedDelayBefore(3).toMillis();
        assertTrue(expected >= 300 && expected <= 301, "estimated expectation " + expected);
        assertEquals(Duration.ofSeconds(3), Backoff.fixed(Duration.ofSeconds(3)).longestDelayBefore(7));
        assertEquals(Duration.ofSeconds(10), exponential.longestDelayBefore(60));
        assertEquals(Duration.ofMillis(301), custom.longestDelayBefore(3), "the largest of the draws");
        assertThrows(IllegalArgumentException.class, () -> Backoff.fixed(Duration.ofSeconds(-1)));
        assertThrows(IllegalArgumentException.class, () -> Backoff.exponential(Duration.ofSeconds(1), 0.5, Duration.ofSeconds(2)));
    }

    private static double seconds(Duration duration) {
        return duration.toMillis() / 1000.0;
    }
}
