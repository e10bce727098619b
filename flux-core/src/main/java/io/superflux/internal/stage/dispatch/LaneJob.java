package io.superflux.internal.stage.dispatch;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

import io.superflux.internal.stage.progress.PartitionProgress;
import io.superflux.internal.stage.record.Attempts;
import io.superflux.internal.stage.record.InPlaceRetries;
import io.superflux.internal.stage.record.RecordOutcome;
import io.superflux.internal.stage.record.RecordRunner;

/**
 * One record on a lane: each step tries it, or ends it as the stage thread said. A try that is
 * to be made again after a wait suspends the job (its key waits, the lane serves others) and
 * reports the wait; a final outcome is reported, and a failed call under outage protection
 * suspends the job until the stage thread has the gate's verdict — so a key's later records never
 * overtake one that waits. Runs on lane threads; the stage thread sets its command and resumes it.
 */
final class LaneJob extends KeyOrderedExecutor.Job {
    /** What the job's next step does. */
    enum Command {
        /** Try the record (again). */
        TRY,
        /** Its outcome was carried out: done. */
        RELEASE,
        /** Leave it uncommitted (revoked, lost, or the stage stops): report that, done. */
        LEAVE
    }

    final TopicPartition partition;
    final PartitionProgress progress;
    final PartitionProgress.Pending pending;
    final ConsumerRecord<byte[], byte[]> record;
    final long sequence;
    private final LaneDispatch lanes;
    private final Attempts attempts;
    private volatile Command command = Command.TRY;
    private volatile RecordOutcome outcome;
    private volatile boolean awaitsVerdict;
    private volatile boolean probe;
    private volatile boolean calling;

    LaneJob(LaneDispatch lanes, TopicPartition partition, PartitionProgress progress, PartitionProgress.Pending pending,
            ConsumerRecord<byte[], byte[]> record, long sequence) {
        this.lanes = lanes;
        this.partition = partition;
        this.progress = progress;
        this.pending = pending;
        this.record = record;
        this.sequence = sequence;
        this.attempts = new Attempts(record.offset());
    }

    @Override
    protected boolean step() {
        Command now = command;
        if (now == Command.RELEASE) {
            return true;
        }
        RecordRunner<?> runner = lanes.runner();
        if (now == Command.LEAVE || runner.interruptedForStop() || progress.isGone()
                || (lanes.stopping() || progress.revoked()) && !progress.closesAGap(record.offset())) {
            report(RecordOutcome.LEAVE_UNCOMMITTED, false);
            return true;
        }
        if (lanes.pausedForOutage() && !probe) {
            report(null, true); // taken before the stage paused: it waits, without calling a dependency that is down
            return false;
        }
        probe = false;
        progress.starting(record.offset());
        calling = true;
        RecordOutcome tried;
        try {
            tried = runner.run(record);
        } finally {
            calling = false;
        }
        InPlaceRetries.Next next = lanes.inPlace().next(record, attempts, tried, lanes.time().millis());
        if (next.again()) {
            command = Command.TRY;
            lanes.reportWait(this, next.againAt());
            return false;
        }
        boolean verdict = lanes.hasGate() && next.outcome().retriableInPlace();
        report(next.outcome(), verdict);
        return !verdict;
    }

    private void report(RecordOutcome result, boolean verdict) {
        outcome = result;
        awaitsVerdict = verdict;
        lanes.reportOutcome(this);
    }

    /** Whether its call is under way (any thread). */
    boolean calling() {
        return calling;
    }

    /** Its next try is the outage probe: it calls although the stage is paused. */
    void probe() {
        probe = true;
    }

    /** The outcome it reported last; null if it waited for an outage's end without a call. */
    RecordOutcome outcome() {
        return outcome;
    }

    /** Whether it waits for the gate's verdict: it reported a failed call, or none because the stage is paused for an outage. */
    boolean awaitsVerdict() {
        return awaitsVerdict;
    }

    /** Sets what its next step does and lets it take it (stage thread). */
    void resumeWith(Command next, KeyOrderedExecutor executor) {
        command = next;
        executor.resume(this);
    }
}
