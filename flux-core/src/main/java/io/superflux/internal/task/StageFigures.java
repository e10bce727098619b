package io.superflux.internal.task;

import java.time.Clock;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Computes a stage's {@link StageStatus.Figures} on its reactor thread, from what the consumer
 * already knows (no request to the brokers): per partition, the lag between the confirmed commit
 * and the log end; the records held for their due time and the earliest due; and the due lag —
 * how long ago the record the stage started last on a partition with work left was due (its
 * {@code flux-due-at} on a retry stage, its timestamp on the main stage). Not thread-safe.
 */
final class StageFigures {
    private final Consumer<byte[], byte[]> consumer;
    private final Clock clock;

    StageFigures(Consumer<byte[], byte[]> consumer, Clock clock) {
        this.consumer = consumer;
        this.clock = clock;
    }

    StageStatus.Figures compute(Map<TopicPartition, PartitionProgress> progress, DueTimeThrottle throttle) {
        long now = clock.millis();
        Map<Integer, Long> lag = new TreeMap<>();
        long waiting = 0;
        long oldestDue = 0;
        long dueLagMs = 0;
        Set<TopicPartition> assignment = consumer.assignment();
        for (TopicPartition partition : assignment) {
            OptionalLong behind;
            long position;
            try {
                behind = consumer.currentLag(partition);
                position = consumer.position(partition, java.time.Duration.ZERO);
            } catch (RuntimeException e) {
                continue; // no position or no fetch yet: nothing known to report
            }
            if (behind.isEmpty()) {
                continue;
            }
            long end = position + behind.getAsLong();
            PartitionProgress partitionProgress = progress.get(partition);
            long committed = partitionProgress != null && partitionProgress.confirmed() >= 0 ? partitionProgress.confirmed() : position;
            lag.put(partition.partition(), Math.max(0, end - committed));
            long releaseAt = throttle.releaseAt(partition);
            if (releaseAt > 0) {
                waiting += Math.max(0, end - position);
                oldestDue = oldestDue == 0 ? releaseAt : Math.min(oldestDue, releaseAt);
            } else if (behind.getAsLong() > 0 || (partitionProgress != null && partitionProgress.inFlight() > 0)) {
                if (partitionProgress != null && partitionProgress.lastStartedDue() > 0) {
                    dueLagMs = Math.max(dueLagMs, now - partitionProgress.lastStartedDue());
                }
            }
        }
        return new StageStatus.Figures(lag, waiting, oldestDue, dueLagMs / 1000.0, consumer.paused().size());
    }
}
