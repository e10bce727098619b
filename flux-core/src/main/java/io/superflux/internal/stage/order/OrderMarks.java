package io.superflux.internal.stage.order;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

import io.superflux.internal.stage.progress.PartitionProgress;
import io.superflux.internal.stage.record.RecordOutcome;

/**
 * What ordered retries add to a record's final outcome in a stage: the order-topic entries the
 * outcome makes (a new hold, a leader's end), each written before the record counts as complete,
 * and the key-leader header on its forward. Stage thread only.
 */
public interface OrderMarks {
    /**
     * {@code record} was handled: returns true if that ends its key's hold and an entry saying so
     * is now on its way (then the record is complete once it is acknowledged, not now).
     */
    boolean handled(TopicPartition partition, PartitionProgress progress, ConsumerRecord<byte[], byte[]> record);

    /**
     * {@code record} is forwarded as {@code forward}: what to send instead (with its key-leader
     * header), and what to do once it is acknowledged.
     */
    Forward forwarding(TopicPartition partition, PartitionProgress progress, ConsumerRecord<byte[], byte[]> record,
                       RecordOutcome outcome, ProducerRecord<byte[], byte[]> forward);

    /**
     * A forward to send: {@code delivered} (or null) writes what may only be written once the
     * forward is acknowledged — a dead-lettered leader's done entry, whose pending entry was
     * started before the forward's, so the record is complete only with both.
     */
    record Forward(ProducerRecord<byte[], byte[]> record, Runnable delivered) {
    }
}
