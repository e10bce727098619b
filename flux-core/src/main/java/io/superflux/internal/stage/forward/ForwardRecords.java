package io.superflux.internal.stage.forward;

import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.superflux.internal.headers.FailedCall;
import io.superflux.internal.headers.RetryHeaders;
import io.superflux.internal.headers.SafeText;
import io.superflux.retry.Backoff;
import io.superflux.retry.Stage;
import io.superflux.retry.StagePlan;

/**
 * Makes the record a failed record is forwarded as: to the target stage's topic, on the same
 * partition number when that topic has it (a key stays on one partition through every stage),
 * key and value bytes and the application's headers unchanged, Flux's headers replaced — due time
 * drawn from the backoff (scaled by {@code flux.retry.time-scale}), the failure, and the in-place
 * attempts before it. Stage thread only (it draws from the stage's random).
 */
public final class ForwardRecords {
    private static final Logger log = LoggerFactory.getLogger(ForwardRecords.class);

    private final StagePlan plan;
    private final Stage stage;
    private final Backoff backoff;
    private final double timeScale;
    private final Map<String, Integer> partitionCounts;
    private final RandomGenerator random;

    public ForwardRecords(StagePlan plan, Stage stage, Backoff backoff, double timeScale, Map<String, Integer> partitionCounts,
                          RandomGenerator random) {
        this.plan = plan;
        this.stage = stage;
        this.backoff = backoff;
        this.timeScale = timeScale;
        this.partitionCounts = partitionCounts;
        this.random = random;
    }

    /** The forward of {@code record}, which failed at {@code now} with {@code error} after the in-place attempts {@code earlier}. */
    public ProducerRecord<byte[], byte[]> of(ConsumerRecord<byte[], byte[]> record, int target, Throwable error,
                                             List<FailedCall> earlier, long now) {
        Stage next = plan.stage(target);
        long due = next.kind() == Stage.Kind.RETRY
                ? now + Math.round(backoff.delayBefore(target, random).toMillis() * timeScale)
                : now;
        Integer samePartition = record.partition() < partitionCounts.getOrDefault(next.topic(), 0) ? record.partition() : null;
        if (log.isDebugEnabled()) {
            log.debug("stage {}: {}-{}@{} failed ({}), forwarding to stage {}, due in {} ms", stage.number(), record.topic(),
                    record.partition(), record.offset(), SafeText.describe(error), target, due - now);
        }
        return new ProducerRecord<>(next.topic(), samePartition, null, record.key(), record.value(),
                RetryHeaders.forward(record, stage.number(), target, now, due, error, earlier));
    }
}
