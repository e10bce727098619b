package io.superflux.producer;

/**
 * Where Kafka stored a produced message.
 *
 * @param topic     the topic
 * @param partition the partition
 * @param offset    the offset in the partition ({@code -1} with {@code required-acks = 0})
 * @param timestamp the record's timestamp, epoch milliseconds
 */
public record Delivery(String topic, int partition, long offset, long timestamp) {
}
