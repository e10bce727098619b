package io.superflux.internal.stage.progress;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.common.TopicPartition;

/**
 * The {@link PartitionProgress} of every partition a stage owns now: one is made when a partition
 * is assigned (or read again after an abort), and it goes when the partition is revoked or lost.
 * An outcome that arrives for a progress no longer current belongs to an earlier owner and is
 * dropped. Stage thread only.
 */
public final class StageProgress {
    private final Map<TopicPartition, PartitionProgress> byPartition = new LinkedHashMap<>();

    /** The progress of {@code partition}, or null if the stage does not own it. */
    public PartitionProgress get(TopicPartition partition) {
        return byPartition.get(partition);
    }

    /** Whether {@code progress} is still {@code partition}'s current one. */
    public boolean isCurrent(TopicPartition partition, PartitionProgress progress) {
        return byPartition.get(partition) == progress;
    }

    /** {@code partition} starts afresh (assigned, or read again after an abort); returns its new progress. */
    public PartitionProgress restart(TopicPartition partition) {
        PartitionProgress progress = new PartitionProgress();
        PartitionProgress before = byPartition.put(partition, progress);
        if (before != null) {
            before.gone();
        }
        return progress;
    }

    /** Forgets revoked or lost partitions. */
    public void remove(Collection<TopicPartition> partitions) {
        for (TopicPartition partition : partitions) {
            PartitionProgress before = byPartition.remove(partition);
            if (before != null) {
                before.gone();
            }
        }
    }

    /** The partitions owned. */
    public Set<TopicPartition> partitions() {
        return byPartition.keySet();
    }

    /** Every partition's progress. */
    public Map<TopicPartition, PartitionProgress> all() {
        return byPartition;
    }

    /** Partitions owned. */
    public int size() {
        return byPartition.size();
    }

    /** Records of {@code partitions} started and not complete nor given up. */
    public int inFlight(Collection<TopicPartition> partitions) {
        int records = 0;
        for (TopicPartition partition : partitions) {
            PartitionProgress progress = byPartition.get(partition);
            records += progress == null ? 0 : progress.inFlight();
        }
        return records;
    }

    /** Whether a partition has an offset to commit, sent or not yet confirmed (an idle stage has none). */
    public boolean anyCommitDue() {
        for (PartitionProgress progress : byPartition.values()) {
            if (progress.needsConfirmedCommit()) {
                return true;
            }
        }
        return false;
    }

    /** {@code partitions} were lost: none of their records not started may start (they stay until removed). */
    public void lose(Collection<TopicPartition> partitions) {
        for (TopicPartition partition : partitions) {
            PartitionProgress progress = byPartition.get(partition);
            if (progress != null) {
                progress.gone();
            }
        }
    }

    /** Marks {@code partitions} revoked: their records queued on lanes are not started. */
    public void revoke(Collection<TopicPartition> partitions) {
        for (TopicPartition partition : partitions) {
            PartitionProgress progress = byPartition.get(partition);
            if (progress != null) {
                progress.revoke();
            }
        }
    }
}
