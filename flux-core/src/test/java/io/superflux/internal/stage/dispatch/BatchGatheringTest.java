package io.superflux.internal.stage.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import io.superflux.internal.stage.progress.PartitionProgress;
import io.superflux.internal.stage.record.Attempts;
import io.superflux.task.BatchLimits;

/** What a batch gathers across polls: grouped by partition, full by records or bytes, and what a reset drops. */
class BatchGatheringTest {
    private static final TopicPartition P = new TopicPartition("orders", 0);
    private static final TopicPartition Q = new TopicPartition("orders", 1);

    private static BatchEntry entry(TopicPartition partition, long offset) {
        ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>("orders", partition.partition(), offset, 0L,
                org.apache.kafka.common.record.TimestampType.CREATE_TIME, -1, 10, null, new byte[10],
                new org.apache.kafka.common.header.internals.RecordHeaders(), java.util.Optional.empty());
        return new BatchEntry(partition, new PartitionProgress(), record, new Attempts(offset));
    }

    private static List<String> names(List<BatchEntry> entries) {
        return entries.stream().map(BatchEntry::toString).toList();
    }

    @Test
    void aBatchGatheredAcrossPollsIsGroupedByPartitionInOffsetOrder() {
        BatchGathering gathering = new BatchGathering(BatchLimits.standard());
        for (BatchEntry entry : List.of(entry(P, 0), entry(P, 1), entry(Q, 0), entry(P, 2), entry(Q, 1))) {
            gathering.add(entry, 0);
        }
        assertEquals(List.of("orders-0@0", "orders-0@1", "orders-0@2", "orders-1@0", "orders-1@1"), names(gathering.take()));
        assertTrue(gathering.isEmpty());
    }

    @Test
    void aResetDropsWhatWasReadAtOrPastTheNewPositionAndKeepsWhatLiesBelowIt() {
        BatchGathering gathering = new BatchGathering(BatchLimits.standard());
        for (long offset = 100; offset < 110; offset++) {
            gathering.add(entry(P, offset), 0);
        }
        gathering.add(entry(Q, 5), 0);
        gathering.dropFrom(Map.of(P, 105L));
        assertEquals(List.of("orders-0@100", "orders-0@101", "orders-0@102", "orders-0@103", "orders-0@104", "orders-1@5"),
                names(gathering.take()), "records below the truncation point were read and must still be called");
    }

    @Test
    void fullByRecordsOrBytesAndDueAfterMaxWait() {
        BatchGathering gathering = new BatchGathering(new BatchLimits(3, 25, Duration.ofMillis(50)));
        gathering.add(entry(P, 0), 1_000);
        assertFalse(gathering.full());
        assertFalse(gathering.due(1_049));
        assertTrue(gathering.due(1_050));
        gathering.add(entry(P, 1), 1_010);
        assertTrue(gathering.overflowsWith(entry(P, 2)), "30 bytes would pass the 25-byte limit");
        gathering.add(entry(P, 2), 1_020);
        assertTrue(gathering.full());
        assertEquals(30, gathering.millisUntilDue(1_020, 100), "due 50 ms after the first record");
    }
}
