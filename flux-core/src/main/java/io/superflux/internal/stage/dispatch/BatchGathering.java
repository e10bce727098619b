package io.superflux.internal.stage.dispatch;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import io.superflux.task.BatchLimits;

/**
 * The records of the next batch, gathered across polls until the batch is full (records or
 * bytes) or its first record waited {@code maxWait}. None is started: a stop, revocation or abort
 * drops them uncommitted, and their partition's next reader reads them again. Stage thread only.
 */
final class BatchGathering {
    private final BatchLimits limits;
    private List<BatchEntry> entries = new ArrayList<>();
    private long bytes;
    private long firstAt;

    BatchGathering(BatchLimits limits) {
        this.limits = limits;
    }

    /** Whether {@code entry} would take the batch past its byte limit (a batch has at least one record). */
    boolean overflowsWith(BatchEntry entry) {
        return !entries.isEmpty() && bytes + entry.bytes() > limits.maxBytes();
    }

    void add(BatchEntry entry, long now) {
        if (entries.isEmpty()) {
            firstAt = now;
        }
        entries.add(entry);
        bytes += entry.bytes();
    }

    /** Whether the batch is full: call it now. */
    boolean full() {
        return entries.size() >= limits.maxRecords() || bytes >= limits.maxBytes();
    }

    /** Whether the first record waited its {@code maxWait}: call the batch now, with what it has. */
    boolean due(long now) {
        return !entries.isEmpty() && now - firstAt >= limits.maxWait().toMillis();
    }

    /** Milliseconds until {@link #due}, at most {@code max}. */
    long millisUntilDue(long now, long max) {
        return entries.isEmpty() ? max : Math.max(0, Math.min(max, firstAt + limits.maxWait().toMillis() - now));
    }

    /**
     * The gathered records grouped by partition (in the order the partitions came), each
     * partition's in offset order, as gathered across polls; gathering starts over.
     */
    List<BatchEntry> take() {
        java.util.Map<Object, List<BatchEntry>> byPartition = new java.util.LinkedHashMap<>();
        for (BatchEntry entry : entries) {
            byPartition.computeIfAbsent(entry.partition, partition -> new ArrayList<>()).add(entry);
        }
        List<BatchEntry> batch = new ArrayList<>(entries.size());
        byPartition.values().forEach(batch::addAll);
        entries = new ArrayList<>();
        bytes = 0;
        return batch;
    }

    /** Drops the records of {@code partitions}. */
    void drop(Collection<?> partitions) {
        if (entries.removeIf(entry -> partitions.contains(entry.partition))) {
            bytes = entries.stream().mapToLong(BatchEntry::bytes).sum();
        }
    }

    /** Drops the records at or past {@code positions}' offsets of their partitions. */
    void dropFrom(java.util.Map<?, Long> positions) {
        if (entries.removeIf(entry -> positions.containsKey(entry.partition)
                && entry.record.offset() >= positions.get(entry.partition))) {
            bytes = entries.stream().mapToLong(BatchEntry::bytes).sum();
        }
    }

    void clear() {
        entries.clear();
        bytes = 0;
    }

    boolean isEmpty() {
        return entries.isEmpty();
    }

    int size() {
        return entries.size();
    }
}
