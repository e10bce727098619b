package io.superflux.internal.stage.position;

import java.util.function.BooleanSupplier;

import io.superflux.retry.Backoff;
import io.superflux.retry.Stage;

/**
 * Lets an idle retry stage stop fetching for a while. A record written to retry stage n cannot be
 * due sooner than the policy's shortest wait before n, so a stage that found nothing new may rest
 * — all its partitions paused, no fetch requests — for half that wait (at most 30 s), then sweep
 * its topic again. A partition released at its due time ends the rest at once: with the others
 * paused, its fetch goes out immediately. Stages whose shortest wait is under 200 ms (custom
 * policies, tests with a small time scale), the main and the dead-letter stage never rest. Not
 * thread-safe: the reactor thread owns it.
 */
public final class FetchRest {
    private static final long MAX_REST_MS = 30_000;
    private static final long MIN_REST_MS = 100;
    /** A sweep lasts at least this long, so that a fetch long-poll can return before the stage rests again. */
    private static final long MIN_SWEEP_MS = 150;
    private static final long SWEEP_POLL_MS = 200;

    private final long restMillis;
    private long restUntil;
    private long sweepStartedAt;

    public FetchRest(Stage stage, Backoff backoff, double timeScale) {
        long half = stage.kind() == Stage.Kind.RETRY
                ? Math.round(backoff.shortestDelayBefore(stage.number()).toMillis() * timeScale / 2) : 0;
        this.restMillis = half < MIN_REST_MS ? 0 : Math.min(MAX_REST_MS, half);
    }

    /** How long a rest lasts; 0 if this stage never rests. */
    public long restMillis() {
        return restMillis;
    }

    /**
     * A poll found nothing: rest if the sweep had time to fetch and {@code caughtUp}, i.e. the
     * broker's last answer for every partition not held by the throttle said there is nothing more
     * (a stage just assigned its partitions polls empty before its first fetch is answered: it
     * must not rest with due records waiting). {@code caughtUp} is asked last, only when the
     * stage could rest.
     */
    public void nothingFetched(long now, BooleanSupplier caughtUp) {
        if (restMillis > 0 && restUntil == 0 && now - sweepStartedAt >= MIN_SWEEP_MS && caughtUp.getAsBoolean()) {
            restUntil = now + restMillis;
        }
    }

    /** Something must be fetched now (a partition was released): the rest ends. */
    public void wake(long now) {
        if (restUntil != 0) {
            restUntil = 0;
            sweepStartedAt = now;
        }
    }

    /** Whether the stage rests now; a rest whose time is up ends here and a sweep begins. */
    public boolean resting(long now) {
        if (restUntil != 0 && now >= restUntil) {
            wake(now);
        }
        return restUntil != 0;
    }

    /**
     * How long the next poll may wait, at most {@code max}: until the rest ends; while sweeping,
     * {@value #SWEEP_POLL_MS} ms, so that the poll comes back and an empty sweep can end in a rest
     * (a longer poll would go on fetching inside the consumer).
     */
    public long millisUntilWake(long now, long max) {
        if (restMillis == 0) {
            return max;
        }
        return restUntil == 0 ? Math.min(max, SWEEP_POLL_MS) : Math.max(0, Math.min(max, restUntil - now));
    }
}
