package io.superflux.internal.stage.position;

import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.LogTruncationException;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.superflux.internal.stage.environment.ResetPolicy;
import io.superflux.internal.stage.ops.StageMeters;
import io.superflux.retry.Stage;

/**
 * Where a stage reads when Kafka has no position for it, in place of kafka-clients'
 * {@code auto.offset.reset}, which would skip deleted records with no more than an INFO line.
 * Flux's consumers run with {@code auto.offset.reset=none} and this class decides:
 *
 * <ul>
 * <li>No committed offset (a new group): retry and dead-letter stages start at the earliest
 *     record; the main stage follows the application's {@code auto.offset.reset}
 *     ({@code earliest} by default, {@code latest}, {@code by_duration:…}, or {@code none}, which
 *     stops the stage).</li>
 * <li>A position outside the log — records deleted by retention before the stage read them, or
 *     a log truncated under it: an ERROR naming the partition and how many records were lost,
 *     counted in {@code flux.task.records.lost}; then the stage carries on from the log start
 *     (or, in the main stage with {@code latest}, from the end), as Kafka would have, but never
 *     silently.</li>
 * </ul>
 * Runs on the reactor thread.
 */
public final class OffsetResets {
    private static final Logger log = LoggerFactory.getLogger(OffsetResets.class);
    private static final Duration LOOKUP_TIMEOUT = Duration.ofSeconds(10);

    private final Consumer<byte[], byte[]> consumer;
    private final Stage stage;
    private final ResetPolicy policy;
    private final StageMeters meters;
    private final Clock clock;

    public OffsetResets(Consumer<byte[], byte[]> consumer, Stage stage, ResetPolicy mainStageResetPolicy, StageMeters meters, Clock clock) {
        this.consumer = consumer;
        this.stage = stage;
        this.policy = stage.kind() == Stage.Kind.MAIN ? mainStageResetPolicy : ResetPolicy.EARLIEST;
        this.meters = meters;
        this.clock = clock;
    }

    /**
     * Partitions the group has no committed offset for.
     *
     * @throws IllegalStateException if the policy is {@code none}: the application asked for it
     */
    public void noCommittedOffset(Set<TopicPartition> partitions) {
        switch (policy.kind()) {
            case EARLIEST -> consumer.seekToBeginning(partitions);
            case LATEST -> consumer.seekToEnd(partitions);
            case BY_DURATION -> seekToTime(partitions, clock.millis() - policy.duration().toMillis());
            case NONE -> throw new IllegalStateException(stage + " has no committed offset for partitions "
                    + partitions + " and " + ResetPolicy.setting() + " is none");
        }
        log.info("{}: no committed offset for {}: starting at the {}", stage, partitions,
                policy.kind().name().toLowerCase(Locale.ROOT).replace('_', ' '));
    }

    /** Positions that are no longer in the log: {@code positions} are the offsets the consumer asked for. */
    public void outOfRange(Map<TopicPartition, Long> positions) {
        Map<TopicPartition, Long> starts;
        Map<TopicPartition, Long> ends;
        try {
            starts = consumer.beginningOffsets(positions.keySet(), LOOKUP_TIMEOUT);
            ends = consumer.endOffsets(positions.keySet(), LOOKUP_TIMEOUT);
        } catch (TimeoutException e) {
            // The positions stay as they are: the next poll finds them out of range again, and asks again.
            log.warn("{}: {} are out of range, and the log's bounds could not be read in {} ({}); trying again", stage,
                    positions.keySet(), LOOKUP_TIMEOUT, e.toString());
            return;
        }
        for (Map.Entry<TopicPartition, Long> entry : positions.entrySet()) {
            TopicPartition partition = entry.getKey();
            long position = entry.getValue();
            long start = starts.getOrDefault(partition, 0L);
            long end = ends.getOrDefault(partition, start);
            if (position < start) {
                long resumeAt = policy.kind() == ResetPolicy.Kind.LATEST ? end : start;
                long lost = resumeAt - position;
                meters.recordsLost(lost);
                log.error("{}: {} was at offset {}, but the log now starts at {}: {} record(s) were deleted before this"
                                + " stage read them and are lost; carrying on from offset {}. A stage topic's retention.ms must"
                                + " be longer than the stage's longest wait ('flux topics plan' shows what it should be)",
                        stage, partition, position, start, lost, resumeAt);
                consumer.seek(partition, resumeAt);
            } else {
                log.error("{}: {} was at offset {}, past the log end {}: the log was truncated under this stage (an unclean"
                        + " leader election?); carrying on from offset {}", stage, partition, position, end, end);
                consumer.seek(partition, end);
            }
        }
    }

    /**
     * The log was truncated under the stage (an unclean leader election): its position is past
     * what the new leader has. It reads on from where the logs diverged — the new leader's records
     * from there are read, not skipped — and says so: the records it had read past that offset
     * are no longer in the log.
     */
    public void truncated(LogTruncationException truncation) {
        truncation.divergentOffsets().forEach((partition, divergent) -> {
            Long position = truncation.offsetOutOfRangePartitions().get(partition);
            log.error("{}: the log of {} was truncated under this stage (an unclean leader election?): it was at offset {},"
                    + " the logs diverge at {}; reading on from {}", stage, partition, position, divergent.offset(),
                    divergent.offset());
            consumer.seek(partition, divergent.offset());
        });
    }

    private void seekToTime(Collection<TopicPartition> partitions, long timestamp) {
        Map<TopicPartition, Long> query = new HashMap<>();
        partitions.forEach(partition -> query.put(partition, timestamp));
        Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query, LOOKUP_TIMEOUT);
        for (TopicPartition partition : partitions) {
            OffsetAndTimestamp offset = found.get(partition);
            if (offset == null) {
                consumer.seekToEnd(java.util.List.of(partition));
            } else {
                consumer.seek(partition, offset.offset());
            }
        }
    }
}
