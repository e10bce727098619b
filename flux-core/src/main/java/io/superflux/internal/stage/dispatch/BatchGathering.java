package io.superflux.internal.stage.dispatch;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;

import io.superflux.task.BatchLimits;

/**
 * The records of the next batch, gathered across polls until the batch is full (records or
 * bytes) or its first record waited {@code maxWait}. None is started: a stop, revocation or abort
 * drops them uncommitted, and their partition's next reader reads them again. Stage thread only.
 */
final class BatchGathering {
    private final BatchLimits limits;
    /** The records by partition, in the order the partitions came, each partition's in offset order. */
    private final Map<TopicPartition, List<BatchEntry>> byPartition = new LinkedHashMap<>();
    private int size;
    private long bytes;
    private long firstAt;

    BatchGathering(BatchLimits limits) {
        this.limits = limits;
    }

    /** Whether {@code entry} would take the batch past its byte limit (a batch has at least one record). */
    boolean overflowsWith(BatchEntry entry) {
        return size > 0 && bytes + entry.bytes() > limits.maxBytes();
    }

    void add(BatchEntry entry, long now) {
        if (size == 0) {
            firstAt = now;
        }
        byPartition.computeIfAbsent(entry.partition, partition -> new ArrayList<>()).add(entry);
        size++;
        bytes += entry.bytes();
    }

    /** Whether the batch is full: call it now. */
    boolean full() {
        return size >= limits.maxRecords() || bytes >= limits.maxBytes();
    }

    /** Whether the first record waited its {@code maxWait}: call the batch now, with what it has. */
    boolean due(long now) {
        return size > 0 && now - firstAt >= limits.maxWait().toMillis();
    }

    /** Milliseconds until {@link #due}, at most {@code max}. */
    long millisUntilDue(long now, long max) {
        return size == 0 ? max : Math.max(0, Math.min(max, firstAt + limits.maxWait().toMillis() - now));
    }

    /** The gathered records, grouped by partition, each partition's in offset order; gathering starts over. */
    List<BatchEntry> take() {
        List<BatchEntry> batch = new ArrayList<>(size);
        byPartition.values().forEach(batch::addAll);
        clear();
        return batch;
    }

    /** Drops the records of {@code partitions}. */
    void drop(Collection<TopicPartition> partitions) {
        partitions.forEach(partition -> forget(byPartition.remove(partition)));
    }

    /** Drops the records at or past {@code positions}' offsets of their partitions. */
    void dropFrom(Map<TopicPartition, Long> positions) {
        positions.forEach((partition, position) -> {
            List<BatchEntry> entries = byPartition.get(partition);
            if (entries != null) {
                int keep = 0;
                while (keep < entries.size() && entries.get(keep).record.offset() < position) {
                    keep++;
                }
                List<BatchEntry> stale = entries.subList(keep, entries.size());
                forget(new ArrayList<>(stale));
                stale.clear();
                if (entries.isEmpty()) {
                    byPartition.remove(partition);
                }
            }
        });
    }

    private void forget(List<BatchEntry> entries) {
        if (entries != null) {
            size -= entries.size();
            entries.forEach(entry -> bytes -= entry.bytes());
        }
    }

    void clear() {
        byPartition.clear();
        size = 0;
        bytes = 0;
    }

    boolean isEmpty() {
        return size == 0;
    }

    int size() {
        return size;
    }
}
