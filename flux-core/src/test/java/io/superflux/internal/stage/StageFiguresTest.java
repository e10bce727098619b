package io.superflux.internal.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;

import io.superflux.internal.stage.ops.StageStatus;
import io.superflux.internal.stage.position.PauseControl;
import io.superflux.internal.stage.progress.StageProgress;

/** The figures are for the meters: a query behind them that fails, in whatever way, never stops a stage. */
class StageFiguresTest {
    private static final TopicPartition HELD = new TopicPartition("orders-g-try-1", 0);

    @Test
    void aFailingLogEndQueryForAHeldPartitionLeavesTheFiguresAsTheyWere() {
        MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest") {
            @Override
            public synchronized Map<TopicPartition, Long> endOffsets(Collection<TopicPartition> partitions, Duration timeout) {
                throw new TopicAuthorizationException("not authorized to describe " + partitions);
            }
        };
        consumer.assign(List.of(HELD));
        consumer.updateBeginningOffsets(Map.of(HELD, 0L));
        consumer.seek(HELD, 3);
        Clock clock = Clock.systemUTC();
        PauseControl pauses = new PauseControl(consumer, clock);
        pauses.hold(HELD, 3, PauseControl.Reason.DUE, clock.millis() + 60_000);
        StageProgress progress = new StageProgress();
        progress.restart(HELD);
        StageStatus.Figures figures = new StageFigures(consumer, clock).compute(progress.all(), pauses);
        assertEquals(1, figures.paused());
    }
}
