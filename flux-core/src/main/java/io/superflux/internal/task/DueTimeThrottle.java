package io.superflux.internal.task;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.common.TopicPartition;

/**
 * Which partitions of a retry stage wait for a record's due time, and until when. A record not
 * yet due holds its partition (the reactor pauses it and seeks back to the record); the partition
 * is released once the clock reaches the due time. Other partitions are not affected.
 *
 * <p>Time comes from the injected {@link Clock}, so the logic is tested without sleeping. Not
 * thread-safe: one reactor thread owns it. Holds belong to an assignment: {@link #drop} forgets
 * revoked partitions, whose records are simply checked again by their next owner.
 */
final class DueTimeThrottle {
    private final Clock clock;
    private final Map<TopicPartition, Long> releaseAt = new HashMap<>();

    DueTimeThrottle(Clock clock) {
        this.clock = clock;
    }

    /** Whether a record due at {@code dueAt} (epoch ms) may be handled now: never early. */
    boolean isDue(long dueAt) {
        return dueAt <= clock.millis();
    }

    /** Holds {@code partition} until {@code dueAt}. */
    void hold(TopicPartition partition, long dueAt) {
        releaseAt.put(partition, dueAt);
    }

    /** Whether {@code partition} is held. */
    boolean isHeld(TopicPartition partition) {
        return releaseAt.containsKey(partition);
    }

    /** The held partitions. */
    Set<TopicPartition> held() {
        return releaseAt.keySet();
    }

    /** Releases and returns every partition whose time has come. */
    List<TopicPartition> releaseDue() {
        if (releaseAt.isEmpty()) {
            return List.of();
        }
        long now = clock.millis();
        List<TopicPartition> released = new ArrayList<>();
        for (Iterator<Map.Entry<TopicPartition, Long>> it = releaseAt.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<TopicPartition, Long> entry = it.next();
            if (entry.getValue() <= now) {
                released.add(entry.getKey());
                it.remove();
            }
        }
        return released;
    }

    /** Milliseconds until the next release, at most {@code max}; 0 if one is due now. */
    long millisUntilNextRelease(long max) {
        if (releaseAt.isEmpty()) {
            return max;
        }
        long next = Long.MAX_VALUE;
        for (long at : releaseAt.values()) {
            next = Math.min(next, at);
        }
        return Math.max(0, Math.min(max, next - clock.millis()));
    }

    /** When {@code partition} is released, or 0 if it is not held. */
    long releaseAt(TopicPartition partition) {
        return releaseAt.getOrDefault(partition, 0L);
    }

    /** Forgets revoked or lost partitions. */
    void drop(Collection<TopicPartition> partitions) {
        partitions.forEach(releaseAt::remove);
    }
}
