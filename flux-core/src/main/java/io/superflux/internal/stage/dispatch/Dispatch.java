package io.superflux.internal.stage.dispatch;

import java.util.Collection;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;

import io.superflux.internal.stage.record.InPlaceRetries;
import io.superflux.internal.stage.record.RecordRunner;

/**
 * How a stage hands its records to the task: {@link InOrderDispatch} on the stage thread, one at
 * a time in offset order, or {@link LaneDispatch} on key lanes (one key at a time, different keys
 * in parallel). Both try records through the same {@code RecordRunner}, retry them through the
 * same {@code InPlaceRetries}, ask the same outage gate and carry out final outcomes through the
 * same {@link FinalOutcomes}; they differ in how a record waits: the stage thread holds the
 * record's partition and reads it again, a lane job suspends and only its key waits.
 * Stage thread only.
 */
public interface Dispatch {
    /** Hands {@code records} on, partition by partition, stopping a partition at a record that must wait. */
    void dispatch(ConsumerRecords<byte[], byte[]> records);

    /** Carries out what came back from the lanes, and resumes the waits that are over. */
    void collect();

    /**
     * Calls what waited its time on the stage thread: a batch that gathered long enough. From the
     * poll loop only, never while a revocation or a stop settles.
     */
    default void callDue() {
    }

    /**
     * The consumer's positions were reset (no committed offset, out of range, truncated) to
     * {@code positions}: what was read at or past them is stale, what was read below them is not.
     */
    default void positionsReset(Map<TopicPartition, Long> positions) {
    }

    /** Starts an outage probe if one is due. */
    void probe();

    /** Records of {@code partitions} handed on and not yet back: what a revocation or a stop waits for. */
    int running(Collection<TopicPartition> partitions);

    /** Records handed on and not yet back, whatever their partition (also of partitions revoked or lost earlier). */
    int runningTotal();

    /** {@code partitions} are revoked or lost: their waits end now, and their records not started are not started. */
    void revoke(Collection<TopicPartition> partitions);

    /** Forgets what it keeps of {@code partitions} (revoked, lost, or read again after an abort). */
    void forget(Collection<TopicPartition> partitions);

    /** The stage stops: no record is started any more, and every wait ends now. */
    void stop();

    /** A stop outlasted its timeout: interrupts the calls still running; they are left uncommitted. */
    void interruptCalls();

    /** Stops the lanes' threads, interrupting any still running after {@code timeoutMillis}. */
    void close(long timeoutMillis);

    /** Whether records are out that report back through a queue (the loop must come round often). */
    boolean busy();

    /** Whether so many records are in flight that every partition must stop fetching. */
    boolean full();

    /** Partitions whose uncommittable records reached the in-flight limit: they stop fetching. */
    Set<TopicPartition> backlogged();

    /** Milliseconds until a wait ends that only this dispatch knows of, at most {@code max}. */
    long millisUntilNextWake(long max);

    /** Records handed on and not finished, for the gauge. */
    int inFlight();

    /** What it still keeps, by name; all zero once nothing is in flight. */
    Map<String, Integer> leftovers();
}
