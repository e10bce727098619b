package io.superflux.internal.stage;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import io.superflux.internal.stage.ops.StageStatus;
import io.superflux.internal.stage.position.PauseControl;
import io.superflux.internal.stage.progress.PartitionProgress;

/**
 * Computes a stage's {@link StageStatus.Figures} on its reactor thread, mostly from what the
 * consumer already knows: per partition, the lag between the confirmed commit
 * and the log end; the records held for their due time and the earliest due; and the due lag —
 * how long ago the record the stage started last on a partition with work left was due (its
 * {@code flux-due-at} on a retry stage, its timestamp on the main stage). A held partition is
 * paused, so the consumer's own idea of its log end stops at the last fetch: for those alone the
 * log end is asked of the brokers, at most every {@value #HELD_ENDS_REFRESH_MS} ms and waiting at
 * most {@value #HELD_ENDS_TIMEOUT_MS} ms (a slow answer keeps the older figure). Not thread-safe.
 */
public final class StageFigures {
    static final long HELD_ENDS_REFRESH_MS = 5_000;
    static final long HELD_ENDS_TIMEOUT_MS = 200;

    private final Consumer<byte[], byte[]> consumer;
    private final Clock clock;
    /** The log end the brokers last gave for each held partition. */
    private final Map<TopicPartition, Long> heldEnds = new HashMap<>();
    private long heldEndsAt;

    StageFigures(Consumer<byte[], byte[]> consumer, Clock clock) {
        this.consumer = consumer;
        this.clock = clock;
    }

    StageStatus.Figures compute(Map<TopicPartition, PartitionProgress> progress, PauseControl pauses) {
        long now = clock.millis();
        Map<Integer, Long> lag = new TreeMap<>();
        long waiting = 0;
        long oldestDue = 0;
        long dueLagMs = 0;
        Set<TopicPartition> assignment = consumer.assignment();
        refreshHeldEnds(assignment, pauses, now);
        for (TopicPartition partition : assignment) {
            OptionalLong behind;
            long position;
            try {
                behind = consumer.currentLag(partition);
                position = consumer.position(partition, Duration.ZERO);
            } catch (RuntimeException e) {
                continue; // no position or no fetch yet: nothing known to report
            }
            if (behind.isEmpty()) {
                continue;
            }
            long end = Math.max(position + behind.getAsLong(), heldEnds.getOrDefault(partition, 0L));
            PartitionProgress partitionProgress = progress.get(partition);
            long committed = partitionProgress != null && partitionProgress.confirmed() >= 0 ? partitionProgress.confirmed() : position;
            lag.put(partition.partition(), Math.max(0, end - committed));
            long releaseAt = pauses.dueAt(partition);
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

    private void refreshHeldEnds(Set<TopicPartition> assignment, PauseControl pauses, long now) {
        heldEnds.keySet().removeIf(partition -> !assignment.contains(partition) || pauses.dueAt(partition) == 0);
        if (now - heldEndsAt < HELD_ENDS_REFRESH_MS) {
            return;
        }
        List<TopicPartition> held = assignment.stream().filter(partition -> pauses.dueAt(partition) > 0).toList();
        if (held.isEmpty()) {
            return;
        }
        heldEndsAt = now;
        try {
            heldEnds.putAll(consumer.endOffsets(held, Duration.ofMillis(HELD_ENDS_TIMEOUT_MS)));
        } catch (RuntimeException e) {
            // The figures are for the meters: a slow leader, a missing permission or anything else keeps what the last
            // fetch said, and the next refresh asks again. It never stops the stage.
        }
    }
}
