/**
 * The retry chain of a task: {@link io.superflux.retry.StagePlan} names each stage's topic and
 * group, {@link io.superflux.retry.StageSelection} parses which stages a worker runs, and
 * {@link io.superflux.retry.Backoff} says how long a record waits before each retry.
 */
package io.superflux.retry;
