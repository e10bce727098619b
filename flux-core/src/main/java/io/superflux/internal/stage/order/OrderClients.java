package io.superflux.internal.stage.order;

import org.apache.kafka.clients.consumer.Consumer;

import io.superflux.internal.stage.forward.Forwarder;

/**
 * The Kafka clients ordered retries use in stage 0 besides the stage's own: two consumers of the
 * order topic without a group (one reads it from end to end, one fetches parked records back),
 * and the stage's forwarder for what no input offset waits for.
 *
 * @param inputTopic the task's input topic
 * @param orderTopic the task's order topic
 * @param log        reads the order topic as it is written
 * @param reader     fetches parked records back
 * @param forwarder  the stage's forwarder
 */
public record OrderClients(String inputTopic, String orderTopic, Consumer<byte[], byte[]> log, Consumer<byte[], byte[]> reader,
                           Forwarder forwarder) {
}
