package io.superflux.retry;

import java.time.Duration;
import java.util.Objects;
import java.util.Random;
import java.util.random.RandomGenerator;

/**
 * How long a failed record waits before retry stage {@code n} handles it. The wait is drawn once,
 * when the record is forwarded; {@code flux.retry.time-scale} then multiplies it.
 *
 * <p>A custom policy is a lambda: {@code (stage, random) -> Duration.ofSeconds(10L * stage)}.
 */
@FunctionalInterface
public interface Backoff {
    /**
     * The wait before retry stage {@code stage} (1..N), drawing any randomness from {@code random}.
     * Must not be negative.
     */
    Duration delayBefore(int stage, RandomGenerator random);

    /**
     * The expected (mean) wait before {@code stage}. The default estimates it from 2,000 draws
     * with a fixed seed; policies with a closed form override it.
     */
    default Duration expectedDelayBefore(int stage) {
        Random random = new Random(42);
        long totalMillis = 0;
        int draws = 2_000;
        for (int i = 0; i < draws; i++) {
            totalMillis += delayBefore(stage, random).toMillis();
        }
        return Duration.ofMillis(Math.round((double) totalMillis / draws));
    }

    /**
     * The longest wait {@link #delayBefore} can return for {@code stage}. Flux sizes a retry topic's
     * retention from it (a record held for its due time must not be deleted) and makes a retry
     * record with no readable due time wait this long. The built-in policies know it exactly; the
     * default, for a custom policy, takes the largest of 2,000 draws with a fixed seed: override it
     * when a policy's longest wait is known.
     */
    default Duration longestDelayBefore(int stage) {
        Random random = new Random(42);
        Duration longest = Duration.ZERO;
        for (int i = 0; i < 2_000; i++) {
            Duration delay = delayBefore(stage, random);
            if (delay.compareTo(longest) > 0) {
                longest = delay;
            }
        }
        return longest;
    }

    /**
     * The shortest wait {@link #delayBefore} can return for {@code stage}. A retry stage fetches its
     * topic in sweeps half this far apart when it has nothing to do (a record written to it cannot
     * be due sooner), instead of polling the brokers continuously. The default, zero, keeps a
     * custom policy's stages fetching continuously; the built-in policies know it exactly.
     */
    default Duration shortestDelayBefore(int stage) {
        return Duration.ZERO;
    }

    /**
     * The default, as in Super::Flux: n⁴ + 15 + r·(n+1) seconds, r a uniform integer 0..29.
     * Expected: stage 1 ≈ 45 s, 2 ≈ 1.2 min, 3 ≈ 2.6 min, 5 ≈ 12.1 min, 10 ≈ 2.8 h, 25 ≈ 4.5 days.
     */
    static Backoff standard() {
        return StandardBackoff.INSTANCE;
    }

    /** The same wait before every stage. */
    static Backoff fixed(Duration delay) {
        requireNotNegative(delay, "delay");
        return new Backoff() {
            @Override
            public Duration delayBefore(int stage, RandomGenerator random) {
                return delay;
            }

            @Override
            public Duration expectedDelayBefore(int stage) {
                return delay;
            }

            @Override
            public Duration longestDelayBefore(int stage) {
                return delay;
            }

            @Override
            public Duration shortestDelayBefore(int stage) {
                return delay;
            }

            @Override
            public String toString() {
                return "fixed " + delay;
            }
        };
    }

    /** {@code initial · multiplier^(n-1)}, at most {@code max}. */
    static Backoff exponential(Duration initial, double multiplier, Duration max) {
        requireNotNegative(initial, "initial");
        requireNotNegative(max, "max");
        if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
            throw new IllegalArgumentException("multiplier must be a finite number ≥ 1, not " + multiplier);
        }
        return new Backoff() {
            @Override
            public Duration delayBefore(int stage, RandomGenerator random) {
                return expectedDelayBefore(stage);
            }

            @Override
            public Duration longestDelayBefore(int stage) {
                return expectedDelayBefore(stage);
            }

            @Override
            public Duration shortestDelayBefore(int stage) {
                return expectedDelayBefore(stage);
            }

            @Override
            public Duration expectedDelayBefore(int stage) {
                double millis = initial.toMillis() * Math.pow(multiplier, Math.max(0, stage - 1));
                return millis >= max.toMillis() ? max : Duration.ofMillis(Math.round(millis));
            }

            @Override
            public String toString() {
                return "exponential " + initial + " ×" + multiplier + " up to " + max;
            }
        };
    }

    private static void requireNotNegative(Duration duration, String name) {
        if (Objects.requireNonNull(duration, name).isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, not " + duration);
        }
    }
}
