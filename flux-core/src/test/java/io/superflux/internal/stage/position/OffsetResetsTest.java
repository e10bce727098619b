package io.superflux.internal.stage.position;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.LogTruncationException;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.superflux.internal.stage.environment.ResetPolicy;
import io.superflux.internal.stage.ops.StageMeters;
import io.superflux.retry.Stage;
import io.superflux.task.TaskSpec;

/** Positions that left the log: never skipped silently, and a slow lookup is no reason to stop the stage. */
class OffsetResetsTest {
    private static final TopicPartition P0 = new TopicPartition("orders", 0);
    private final Stage stage = TaskSpec.topic("orders").group("g").retries(1).plan().stage(0);
    private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final OffsetResets resets = new OffsetResets(consumer, stage, ResetPolicy.EARLIEST,
            new StageMeters(registry, "OrderTask", stage), Clock.systemUTC());

    @Test
    void aTruncatedLogIsReadOnFromWhereItDivergedNotFromItsEnd() {
        consumer.assign(List.of(P0));
        consumer.updateBeginningOffsets(Map.of(P0, 0L));
        consumer.updateEndOffsets(Map.of(P0, 950L)); // the new leader has written up to 950 since the divergence at 900
        consumer.seek(P0, 1_000);
        resets.truncated(new LogTruncationException("diverged", Map.of(P0, 1_000L), Map.of(P0, new OffsetAndMetadata(900))));
        assertEquals(900, consumer.position(P0), "the new leader's records 900..949 are read, not skipped");
    }

    @Test
    void aLookupThatTimesOutLeavesThePositionForTheNextPoll() {
        MockConsumer<byte[], byte[]> slow = new MockConsumer<>("earliest") {
            @Override
            public synchronized Map<TopicPartition, Long> beginningOffsets(Collection<TopicPartition> partitions,
                                                                             Duration timeout) {
                throw new TimeoutException("the leader did not answer");
            }
        };
        slow.assign(List.of(P0));
        slow.updateBeginningOffsets(Map.of(P0, 0L));
        slow.seek(P0, 5);
        new OffsetResets(slow, stage, ResetPolicy.EARLIEST, new StageMeters(registry, "OrderTask", stage), Clock.systemUTC())
                .outOfRange(Map.of(P0, 5L));
        assertEquals(5, slow.position(P0), "nothing moved: the next poll throws again and the lookup is tried again");
    }
}
