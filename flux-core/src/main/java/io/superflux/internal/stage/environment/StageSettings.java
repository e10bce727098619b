package io.superflux.internal.stage.environment;

import java.time.Duration;
import java.util.Optional;

/**
 * The settings one stage runs with.
 *
 * @param timeScale          factor on every retry wait ({@code flux.retry.time-scale})
 * @param commitInterval     how often completed offsets are committed
 * @param shutdownTimeout    how long a stop waits for the records in hand before interrupting them
 * @param revocationBudget   how long a revocation may wait for the revoked partitions' records in
 *                           flight and their commit: well inside the group's rebalance timeout
 * @param mainStageReset     where the main stage starts without a committed offset
 * @param groupInstanceId    the consumer's group.instance.id (static membership), or empty
 * @param leaveGroupOnClose  whether closing the consumer leaves the group even as a static member
 * @param exactlyOnce        forwards and offsets in one transaction per commit ({@code flux.delivery = exactly-once})
 * @param batchLimits        how big a batch task's batches get (the task's, with {@code flux.batch} over them)
 */
public record StageSettings(double timeScale, Duration commitInterval, Duration shutdownTimeout, Duration revocationBudget,
                            ResetPolicy mainStageReset, Optional<String> groupInstanceId, boolean leaveGroupOnClose,
                            boolean exactlyOnce, io.superflux.task.BatchLimits batchLimits) {
}
