package io.superflux.retry;

import java.time.Duration;
import java.util.random.RandomGenerator;

/** n⁴ + 15 + r·(n+1) seconds, r uniform in 0..29: Super::Flux's schedule. */
final class StandardBackoff implements Backoff {
    static final StandardBackoff INSTANCE = new StandardBackoff();
    private static final int SPREAD = 30;

    private StandardBackoff() {
    }

    @Override
    public Duration delayBefore(int stage, RandomGenerator random) {
        long n = stage;
        return Duration.ofSeconds(n * n * n * n + 15 + random.nextInt(SPREAD) * (n + 1));
    }

    @Override
    public Duration expectedDelayBefore(int stage) {
        long n = stage;
        // r averages 14.5: n⁴ + 15 + 14.5·(n+1) seconds
        return Duration.ofMillis((n * n * n * n + 15) * 1000 + 14_500 * (n + 1));
    }

    /** The shortest wait before {@code stage} (r = 0). */
    static Duration minDelayBefore(int stage) {
        long n = stage;
        return Duration.ofSeconds(n * n * n * n + 15);
    }

    /** The longest wait before {@code stage} (r = 29). */
    @Override
    public Duration longestDelayBefore(int stage) {
        long n = stage;
        return Duration.ofSeconds(n * n * n * n + 15 + (SPREAD - 1) * (n + 1));
    }

    @Override
    public Duration shortestDelayBefore(int stage) {
        long n = stage;
        return Duration.ofSeconds(n * n * n * n + 15);
    }

    @Override
    public String toString() {
        return "standard (n⁴ + 15 + r·(n+1) s, r in 0..29)";
    }
}
