package io.superflux.internal.stage.dispatch;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

import io.superflux.internal.stage.progress.PartitionProgress;
import io.superflux.internal.stage.record.Attempts;

/** One record gathered for a batch: not started, so no commit covers it and nothing waits for it. Stage thread only. */
final class BatchEntry {
    final TopicPartition partition;
    final PartitionProgress progress;
    final ConsumerRecord<byte[], byte[]> record;
    /** Its tries so far: it may have been tried before its partition was read again from it. */
    final Attempts attempts;

    BatchEntry(TopicPartition partition, PartitionProgress progress, ConsumerRecord<byte[], byte[]> record, Attempts attempts) {
        this.partition = partition;
        this.progress = progress;
        this.record = record;
        this.attempts = attempts;
    }

    /** Bytes it counts towards a batch's limit: its key and value as stored. */
    long bytes() {
        return Math.max(0, record.serializedKeySize()) + Math.max(0, record.serializedValueSize());
    }

    @Override
    public String toString() {
        return partition + "@" + record.offset();
    }
}
