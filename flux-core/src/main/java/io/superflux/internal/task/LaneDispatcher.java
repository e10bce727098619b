package io.superflux.internal.task;

import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Key-ordered concurrency for one stage ({@code concurrency(K)}, K &gt; 1): records run on K lane
 * threads through a {@link KeyOrderedExecutor} (the same key one after the other in offset order,
 * different keys in parallel) and each one's {@link RecordOutcome} comes back on a queue that the
 * reactor thread drains and carries out. When a partition is revoked or the stage stops, its queued
 * records are not started — they are left uncommitted for whoever reads them next — except those
 * below a record already started, which the commit needs to cover what finished after them (else
 * that would be handled twice). So a revocation or a stop waits for the calls under way and the
 * gaps behind them, and starts nothing new. It also bounds what is in flight: at
 * {@code maxInFlight} records the stage must stop fetching, and it may fetch again below half that.
 *
 * <p>Apart from the outcome queue and the in-flight gauge, only the reactor thread uses it.
 */
final class LaneDispatcher {
    /** A record a lane finished, and what became of it. */
    record Finished(TopicPartition partition, PartitionProgress progress, PartitionProgress.Pending pending,
                    ConsumerRecord<byte[], byte[]> record, RecordOutcome outcome) {
    }

    private final KeyOrderedExecutor executor;
    private final RecordRunner<?> runner;
    private final ConcurrentLinkedQueue<Finished> finished = new ConcurrentLinkedQueue<>();
    private final int maxInFlight;
    private volatile int inFlight;
    private volatile boolean stopping;
    private boolean full;

    LaneDispatcher(java.util.concurrent.ExecutorService lanes, RecordRunner<?> runner, int concurrency) {
        this.executor = new KeyOrderedExecutor(lanes);
        this.runner = runner;
        this.maxInFlight = Math.max(1_000, 50 * concurrency);
    }

    /** Runs {@code record} after the earlier records of its key; it stays incomplete in {@code progress} until drained. */
    void submit(TopicPartition partition, PartitionProgress progress, ConsumerRecord<byte[], byte[]> record) {
        enqueue(partition, progress, progress.started(record.offset()), record);
    }

    /** Runs a record again that finished before and was kept incomplete (parked during an outage). */
    void resubmit(Finished earlier) {
        enqueue(earlier.partition(), earlier.progress(), earlier.pending(), earlier.record());
    }

    private void enqueue(TopicPartition partition, PartitionProgress progress, PartitionProgress.Pending pending,
                         ConsumerRecord<byte[], byte[]> record) {
        inFlight++;
        if (inFlight >= maxInFlight) {
            full = true;
        }
        executor.submit(record.key(), () -> finished.add(new Finished(partition, progress, pending, record, run(progress, record))));
    }

    private RecordOutcome run(PartitionProgress progress, ConsumerRecord<byte[], byte[]> record) {
        if ((stopping || progress.revoked()) && !progress.closesAGap(record.offset())) {
            return RecordOutcome.LEAVE_UNCOMMITTED;
        }
        progress.starting(record.offset());
        return runner.run(record);
    }

    /**
     * The stage stops: records still queued are not started (they stay uncommitted and are read
     * again), except those that close a gap; the calls under way finish.
     */
    void stop() {
        stopping = true;
    }

    /** Hands every finished record to {@code apply}, on the calling (reactor) thread. */
    void drain(Consumer<Finished> apply) {
        Finished next;
        while ((next = finished.poll()) != null) {
            inFlight--;
            apply.accept(next);
        }
        if (full && inFlight < maxInFlight / 2) {
            full = false;
        }
    }

    /** Records submitted and not yet drained. */
    int inFlight() {
        return inFlight;
    }

    /** Whether so many records are in flight that the stage must stop fetching. */
    boolean full() {
        return full;
    }

    /** Records in flight at which a stage stops fetching: max(1000, 50 × concurrency). */
    int maxInFlight() {
        return maxInFlight;
    }

    /** A stop outlasted its timeout: the calls still running are interrupted, and left uncommitted. */
    void interruptRunning() {
        runner.interruptCalls();
        executor.interruptAll();
    }

    /** Stops the lane threads, interrupting any still running after {@code timeout}. */
    void shutdown(Duration timeout) {
        try {
            executor.shutdown(timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
