package io.superflux.task;

/**
 * Where a record first entered a task: the input topic's coordinates, kept through every retry.
 *
 * @param topic     input topic
 * @param partition its partition
 * @param offset    its offset there
 * @param timestamp its timestamp, epoch milliseconds
 */
public record Origin(String topic, int partition, long offset, long timestamp) {
}
