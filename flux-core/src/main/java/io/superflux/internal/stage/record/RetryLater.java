package io.superflux.internal.stage.record;

/**
 * How long a stage waits before it tries again what cannot go on now and must never be dropped —
 * a failing dead-letter hook, a deserializer whose registry cannot be reached: 1 s, doubling up to
 * 60 s, scaled by {@code flux.retry.time-scale} (never below 10 ms).
 */
public final class RetryLater {
    private static final long FIRST_MS = 1_000;
    private static final long MAX_MS = 60_000;

    private RetryLater() {
    }

    /** The wait before try {@code attempt} + 1 (attempt counts from 1). */
    public static long delayMillis(int attempt, double timeScale) {
        long unscaled = Math.min(MAX_MS, FIRST_MS * (1L << Math.min(Math.max(attempt, 1) - 1, 16)));
        return Math.max(10, Math.round(unscaled * timeScale));
    }
}
