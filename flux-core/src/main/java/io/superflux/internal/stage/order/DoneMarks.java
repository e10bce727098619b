package io.superflux.internal.stage.order;

import java.time.Clock;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

import io.superflux.internal.headers.RetryHeaders;
import io.superflux.internal.stage.forward.ForwardTracker;
import io.superflux.internal.stage.progress.PartitionProgress;
import io.superflux.internal.stage.record.RecordOutcome;
import io.superflux.retry.Stage;
import io.superflux.task.KeyOrder;

/**
 * Ordered retries in a retry stage or the dead-letter stage: a key's leader (a record with a
 * {@code flux-key-leader} header) that is handled in a retry stage, or forwarded to the dead
 * letters when the policy releases them, has reached its final outcome — a done entry says so in
 * the order topic, and the record is complete once it is acknowledged. Stage 0 reads it and lets
 * the key's parked records go on. The dead-letter stage itself writes nothing: a dead letter was
 * final when it was forwarded there, or (the policy holds them) stays held until it is replayed
 * and handled, or released by an operator.
 */
public final class DoneMarks implements OrderMarks {
    private final Stage stage;
    private final int deadLetterStage;
    private final String orderTopic;
    private final KeyOrder order;
    private final ForwardTracker forwards;
    private final Clock clock;

    public DoneMarks(Stage stage, int deadLetterStage, String orderTopic, KeyOrder order, ForwardTracker forwards, Clock clock) {
        this.stage = stage;
        this.deadLetterStage = deadLetterStage;
        this.orderTopic = orderTopic;
        this.order = order;
        this.forwards = forwards;
        this.clock = clock;
    }

    @Override
    public boolean handled(TopicPartition partition, PartitionProgress progress, ConsumerRecord<byte[], byte[]> record) {
        if (stage.kind() != Stage.Kind.RETRY) {
            return false;
        }
        return sendDone(partition, progress, record);
    }

    @Override
    public Forward forwarding(TopicPartition partition, PartitionProgress progress, ConsumerRecord<byte[], byte[]> record,
                              RecordOutcome outcome, ProducerRecord<byte[], byte[]> forward) {
        long leader = RetryHeaders.keyLeader(record.headers());
        if (outcome.targetStage() != deadLetterStage || stage.kind() != Stage.Kind.RETRY || leader < 0 || record.key() == null
                || order.afterDeadLetter() != KeyOrder.AfterDeadLetter.RELEASE) {
            return new Forward(forward, null);
        }
        // dead-lettered once its dead letter is written: the done entry goes after it, the record waits for both
        PartitionProgress.Pending done = progress.started(record.offset());
        return new Forward(forward, () -> forwards.sendEntry(partition, progress, done, doneEntry(record, leader)));
    }

    private boolean sendDone(TopicPartition partition, PartitionProgress progress, ConsumerRecord<byte[], byte[]> record) {
        long leader = RetryHeaders.keyLeader(record.headers());
        if (leader < 0 || record.key() == null) {
            return false;
        }
        forwards.sendEntry(partition, progress, progress.started(record.offset()), doneEntry(record, leader));
        return true;
    }

    private ProducerRecord<byte[], byte[]> doneEntry(ConsumerRecord<byte[], byte[]> record, long leader) {
        int partition = RetryHeaders.keyLeaderPartition(record.headers());
        return OrderEntries.done(orderTopic, partition >= 0 ? partition : record.partition(), record.key(), leader, stage.number(),
                clock.millis());
    }
}
