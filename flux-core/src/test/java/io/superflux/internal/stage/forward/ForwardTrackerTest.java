package io.superflux.internal.stage.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.superflux.internal.stage.ops.StageMeters;
import io.superflux.internal.stage.progress.PartitionProgress;
import io.superflux.internal.stage.progress.StageProgress;
import io.superflux.retry.Stage;
import io.superflux.task.TaskSpec;
import io.superflux.testing.ManualClock;

/**
 * A topic whose sends block on the stage thread is probed one forward at a time, and whatever
 * becomes of a probe — failed on the I/O thread, its partition revoked — the next one follows.
 */
class ForwardTrackerTest {
    private static final TopicPartition SOURCE = new TopicPartition("orders", 0);
    private static final String TARGET = "orders-g-try-1";


    private final ManualClock clock = new ManualClock(1_000_000);
    private final MockProducer<byte[], byte[]> producer = new MockProducer<>(false, null, new ByteArraySerializer(),
            new ByteArraySerializer());
    private final Stage stage = TaskSpec.topic("orders").group("g").retries(2).plan().stage(0);
    private final ForwardTracker forwards = new ForwardTracker(new Forwarder(producer, false), clock, stage,
            new StageMeters(new SimpleMeterRegistry(), "OrderTask", stage));
    private final StageProgress progress = new StageProgress();
    private final PartitionProgress partition = progress.restart(SOURCE);

    private void forward(long offset) {
        forwards.send(SOURCE, partition, partition.started(offset), new ProducerRecord<>(TARGET, 0, null, null,
                ("r" + offset).getBytes()));
    }

    /** The first send blocks for max.block.ms and fails on the stage thread: the topic is unavailable. */
    private void blockTheTopic() {
        producer.sendException = new TimeoutException("Topic " + TARGET + " not present in metadata after 60000 ms.");
        forward(0);
        producer.sendException = null;
        forwards.drain(progress);
        forward(1);
        assertEquals(0, producer.history().size(), "nothing was sent: the first send blocked, the second waits");
    }

    @Test
    void aProbeThatFailsOnTheIoThreadLetsTheNextProbeGo() {
        blockTheTopic();
        clock.advance(1_000);
        forwards.resendDue();
        assertEquals(1, producer.history().size(), "one probe");
        clock.advance(1_000);
        forwards.resendDue();
        assertEquals(1, producer.history().size(), "one probe at a time");

        producer.errorNext(new TimeoutException("Expiring 1 record(s): delivery timeout")); // on the I/O thread, later
        forwards.drain(progress);
        clock.advance(2_000);
        forwards.resendDue();
        assertEquals(2, producer.history().size(), "the failed probe does not keep the topic blocked");

        producer.completeNext();
        forwards.drain(progress);
        forwards.resendDue();
        producer.completeNext();
        producer.completeNext();
        forwards.drain(progress);
        assertEquals(2, partition.committable(), "both records forwarded once the topic is back");
        assertEquals(Map.of("forwards sent", 0, "forwards to resend", 0, "partitions failing a forward", 0,
                "topics unavailable", 0), Map.copyOf(forwards.leftovers()));
    }

    @Test
    void aProbeWhosePartitionIsRevokedLetsTheNextProbeGo() {
        blockTheTopic();
        clock.advance(1_000);
        forwards.resendDue();
        assertEquals(1, producer.history().size());
        forwards.forget(List.of(SOURCE)); // revoked while the probe is out
        PartitionProgress again = progress.restart(SOURCE);
        forwards.send(SOURCE, again, again.started(5), new ProducerRecord<>(TARGET, 0, null, null, "r5".getBytes()));
        forwards.resendDue();
        assertEquals(2, producer.history().size(), "the revoked probe does not keep the topic blocked");
        assertEquals(1, forwards.inFlight(), "the revoked partition's forward no longer counts");
    }
}
