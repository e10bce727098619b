package io.superflux.internal.stage.environment;

import java.util.random.RandomGenerator;

/**
 * What a stage's engine takes from outside besides its Kafka clients: the time, the randomness
 * (retry waits draw from it) and the threads its lanes run on. Production passes the system's;
 * the deterministic simulation passes its own, drawn from one seed.
 *
 * @param time   the clock, and how to wait
 * @param random where retry waits draw their randomness
 * @param lanes  makes the lanes' thread pools
 */
public record StageEnvironment(StageTime time, RandomGenerator random, LanePools lanes) {
}
