package io.superflux.internal.stage.record;

import java.time.Duration;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.superflux.internal.headers.SafeText;

/**
 * Whether a record whose try did not succeed is tried again in the same stage, and when — one
 * policy for the stage thread and for lanes, which differ only in how they wait (the stage
 * thread holds the record's partition and reads it again; a lane job suspends, and only its key
 * waits):
 *
 * <ul>
 * <li>A failed call on its way to the next stage, with in-place attempts left
 *     ({@code retryInPlace}): called again after the in-place backoff.</li>
 * <li>A deserializer that failed for a reason other than a bad value, or a dead-letter hook that
 *     threw: tried again after {@link RetryLater}'s growing wait, never dropped.</li>
 * <li>Anything else is final; a final outcome carries the in-place attempts before it.</li>
 * </ul>
 * Waits are scaled by {@code flux.retry.time-scale}. Stateless: the {@link Attempts} are the caller's.
 */
public final class InPlaceRetries {
    private static final Logger log = LoggerFactory.getLogger(InPlaceRetries.class);

    /**
     * What comes next for a record.
     *
     * @param outcome the final outcome, or the outcome of the try to be repeated
     * @param againAt when to try again (epoch ms), or -1 if {@code outcome} is final
     */
    public record Next(RecordOutcome outcome, long againAt) {
        /** Whether the record is tried again at {@link #againAt}. */
        public boolean again() {
            return againAt >= 0;
        }
    }

    private final int attempts;
    private final long backoffMillis;
    private final double timeScale;
    private final String taskName;

    /** {@code attempts} in-place retries {@code backoff} apart, waits scaled by {@code timeScale}. */
    public InPlaceRetries(int attempts, Duration backoff, double timeScale, String taskName) {
        this.attempts = attempts;
        this.backoffMillis = Math.round(backoff.toMillis() * timeScale);
        this.timeScale = timeScale;
        this.taskName = taskName;
    }

    /** What comes next for {@code record}, whose latest try ended with {@code outcome} at {@code now}. */
    public Next next(ConsumerRecord<byte[], byte[]> record, Attempts tries, RecordOutcome outcome, long now) {
        switch (outcome.kind()) {
            case RETRY_DESERIALIZER, RETRY_HOOK -> {
                int attempt = tries.triedLater();
                long delay = RetryLater.delayMillis(attempt, timeScale);
                log.error("The {} of {} failed for {}-{}@{} (attempt {}): {}; trying again in {} ms; the record is kept",
                        outcome.kind() == RecordOutcome.Kind.RETRY_HOOK ? "dead-letter hook" : "deserializer", taskName,
                        record.topic(), record.partition(), record.offset(), attempt, SafeText.describe(outcome.error()), delay);
                return new Next(outcome, now + delay);
            }
            case FORWARD -> {
                if (outcome.retriableInPlace() && tries.inPlace() < attempts) {
                    tries.failedInPlace(now, outcome.error());
                    return new Next(outcome, now + backoffMillis);
                }
                return new Next(outcome.after(tries.failedInPlace()), -1);
            }
            default -> {
                return new Next(outcome.after(tries.failedInPlace()), -1);
            }
        }
    }
}
