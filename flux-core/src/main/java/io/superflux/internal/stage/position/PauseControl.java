package io.superflux.internal.stage.position;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

/**
 * The only code that pauses, resumes or seeks a stage's partitions back, and the one place that
 * knows why each partition waits.
 *
 * <p>A <em>hold</em> stops one partition at one record: its position is set back to the record,
 * it is paused, and it stays so until the hold's time (a due time, the end of an in-place wait, a
 * retry-later wait, the end of an abort's backoff) or until released (an outage). A partition
 * holds at most one record, the earliest: a second hold further on is ignored, so a hold never
 * moves a position forward over records not yet read. A {@link #rewind} (an aborted transaction)
 * replaces the hold: the partition is read again from its last commit.
 *
 * <p>Besides the holds, {@link #reconcile} pauses what the stage as a whole must not fetch now:
 * every partition (too much in flight, resting, an outage — save the partition a probe is to come
 * from) and some more (a forward failing, too many records not yet committable). Holds belong to
 * an assignment: {@link #forget} drops those of revoked partitions, whose next owner reads their
 * records again. Time comes from the injected clock. Stage thread only.
 */
public final class PauseControl {
    /** Why a partition is held. */
    public enum Reason {
        /** A retry stage's record is not due yet. */
        DUE,
        /** A failed call waits for its next in-place attempt. */
        IN_PLACE,
        /** A deserializer or dead-letter hook failed; tried again later. */
        RETRY_LATER,
        /** The stage is paused for an outage: released when the outage ends, or for a probe. */
        OUTAGE,
        /** A transaction was aborted: read again from the last commit after a short backoff. */
        ABORT,
        /** Ordered retries hold as many keys and parked records as the task allows: the record waits. */
        KEYS_FULL
    }

    /** A hold that lasts until released. */
    public static final long UNTIL_RELEASED = Long.MAX_VALUE;

    /**
     * What the stage as a whole wants paused besides the holds.
     *
     * @param all    every assigned partition
     * @param except with {@code all}: a partition that must fetch anyway (an outage probe's), or null
     * @param more   further partitions to pause
     */
    public record Wanted(boolean all, TopicPartition except, Collection<TopicPartition> more) {
        /** Nothing besides the holds. */
        public static final Wanted NOTHING_MORE = new Wanted(false, null, List.of());
    }

    private record Hold(long offset, Reason reason, long until) {
    }

    private final Consumer<byte[], byte[]> consumer;
    private final Clock clock;
    private final Map<TopicPartition, Hold> holds = new LinkedHashMap<>();
    private boolean anyPaused;

    public PauseControl(Consumer<byte[], byte[]> consumer, Clock clock) {
        this.consumer = consumer;
        this.clock = clock;
    }

    /**
     * Holds {@code partition} at the record at {@code offset} for {@code reason} until
     * {@code until} (epoch ms, or {@link #UNTIL_RELEASED}). Ignored if the partition is held at
     * an earlier record already.
     */
    public void hold(TopicPartition partition, long offset, Reason reason, long until) {
        Hold before = holds.get(partition);
        if (before != null && before.offset <= offset) {
            return;
        }
        consumer.seek(partition, offset);
        consumer.pause(List.of(partition));
        holds.put(partition, new Hold(offset, reason, until));
        anyPaused = true;
    }

    /**
     * Sets {@code partition} back to {@code offset} (an aborted transaction) and holds it there
     * until {@code until} — or longer, if the record there already waited longer (its in-place wait).
     */
    public void rewind(TopicPartition partition, long offset, long until) {
        Hold before = holds.get(partition);
        long end = before != null && before.offset == offset && before.until != UNTIL_RELEASED ? Math.max(until, before.until)
                : until;
        consumer.seek(partition, offset);
        consumer.pause(List.of(partition));
        holds.put(partition, new Hold(offset, Reason.ABORT, end));
        anyPaused = true;
    }

    /** Whether {@code partition} is held. */
    public boolean isHeld(TopicPartition partition) {
        return holds.containsKey(partition);
    }

    /** The held partitions. */
    public Set<TopicPartition> held() {
        return holds.keySet();
    }

    /** The partitions held for {@code reason}, in the order they were held. */
    public List<TopicPartition> heldFor(Reason reason) {
        List<TopicPartition> partitions = new ArrayList<>();
        holds.forEach((partition, hold) -> {
            if (hold.reason == reason) {
                partitions.add(partition);
            }
        });
        return partitions;
    }

    /** When {@code partition}'s record is due, if it waits for its due time; else 0. */
    public long dueAt(TopicPartition partition) {
        Hold hold = holds.get(partition);
        return hold != null && hold.reason == Reason.DUE ? hold.until : 0;
    }

    /** Releases and returns every partition whose hold's time has come. */
    public List<TopicPartition> releaseDue() {
        if (holds.isEmpty()) {
            return List.of();
        }
        long now = clock.millis();
        List<TopicPartition> released = new ArrayList<>();
        for (Iterator<Map.Entry<TopicPartition, Hold>> it = holds.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<TopicPartition, Hold> entry = it.next();
            if (entry.getValue().until <= now) {
                released.add(entry.getKey());
                it.remove();
            }
        }
        return released;
    }

    /** Releases {@code partition}'s hold if it is one for {@code reason}: it reads on from the held record. */
    public void release(TopicPartition partition, Reason reason) {
        Hold hold = holds.get(partition);
        if (hold != null && hold.reason == reason) {
            holds.remove(partition);
        }
    }

    /** Releases every hold for {@code reason}; returns the partitions released. */
    public List<TopicPartition> releaseAll(Reason reason) {
        List<TopicPartition> released = heldFor(reason);
        released.forEach(holds::remove);
        return released;
    }

    /** Milliseconds until the next hold ends, at most {@code max}; 0 if one is due now. */
    public long millisUntilNextRelease(long max) {
        long next = Long.MAX_VALUE;
        for (Hold hold : holds.values()) {
            next = Math.min(next, hold.until);
        }
        return next == Long.MAX_VALUE ? max : Math.max(0, Math.min(max, next - clock.millis()));
    }

    /** Forgets revoked or lost partitions. */
    public void forget(Collection<TopicPartition> partitions) {
        partitions.forEach(holds::remove);
    }

    /**
     * Whether the broker's last fetch answers say no assigned partition has records left, apart
     * from the held ones (they wait for a time, and their release wakes the stage).
     */
    public boolean caughtUp() {
        Set<TopicPartition> assignment = consumer.assignment();
        if (assignment.isEmpty()) {
            return false;
        }
        for (TopicPartition partition : assignment) {
            if (!holds.containsKey(partition)) {
                OptionalLong lag = consumer.currentLag(partition);
                if (lag.isEmpty() || lag.getAsLong() > 0) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Holds kept (none once nothing waits). */
    public int size() {
        return holds.size();
    }

    /** Pauses exactly the held partitions and those {@code wanted} names, and resumes every other. */
    public void reconcile(Wanted wanted) {
        if (!anyPaused && !wanted.all() && holds.isEmpty() && wanted.more().isEmpty()) {
            return; // the common case, on every loop: nothing to pause, nothing paused
        }
        Set<TopicPartition> assignment = consumer.assignment();
        Set<TopicPartition> pause = new HashSet<>(holds.keySet());
        if (wanted.all()) {
            for (TopicPartition partition : assignment) {
                if (!partition.equals(wanted.except())) {
                    pause.add(partition);
                }
            }
        }
        pause.addAll(wanted.more());
        pause.retainAll(assignment);
        Set<TopicPartition> paused = consumer.paused();
        List<TopicPartition> resume = new ArrayList<>();
        for (TopicPartition partition : paused) {
            if (!pause.contains(partition)) {
                resume.add(partition);
            }
        }
        pause.removeAll(paused);
        if (!resume.isEmpty()) {
            consumer.resume(resume);
        }
        if (!pause.isEmpty()) {
            consumer.pause(pause);
        }
        anyPaused = !consumer.paused().isEmpty();
    }
}
