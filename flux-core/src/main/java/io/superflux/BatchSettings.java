package io.superflux;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

import io.superflux.task.BatchLimits;

/**
 * The worker's overrides of its batch tasks' {@link BatchLimits} ({@code flux.batch}); an empty
 * value ({@code default}) keeps what the task's {@code TaskSpec} declares.
 *
 * @param maxRecords {@code flux.batch.max-records}
 * @param maxBytes   {@code flux.batch.max-bytes}
 * @param maxWait    {@code flux.batch.max-wait}
 */
public record BatchSettings(OptionalInt maxRecords, OptionalLong maxBytes, Optional<Duration> maxWait) {
    /** Checks that no value is missing. */
    public BatchSettings {
        Objects.requireNonNull(maxRecords, "maxRecords");
        Objects.requireNonNull(maxBytes, "maxBytes");
        Objects.requireNonNull(maxWait, "maxWait");
    }

    /** No overrides. */
    public static BatchSettings none() {
        return new BatchSettings(OptionalInt.empty(), OptionalLong.empty(), Optional.empty());
    }

    /** {@code declared}, with each limit set here replacing the declared one. */
    public BatchLimits over(BatchLimits declared) {
        return new BatchLimits(maxRecords.orElse(declared.maxRecords()), maxBytes.orElse(declared.maxBytes()),
                maxWait.orElse(declared.maxWait()));
    }
}
