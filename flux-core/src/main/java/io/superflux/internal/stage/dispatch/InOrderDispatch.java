package io.superflux.internal.stage.dispatch;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;

import io.superflux.internal.stage.commit.CommitStrategy;
import io.superflux.internal.stage.environment.StageTime;
import io.superflux.internal.stage.order.KeyOrdering;
import io.superflux.internal.stage.outage.OutageGate;
import io.superflux.internal.stage.position.DueTimes;
import io.superflux.internal.stage.position.PauseControl;
import io.superflux.internal.stage.progress.PartitionProgress;
import io.superflux.internal.stage.progress.StageProgress;
import io.superflux.internal.stage.record.Attempts;
import io.superflux.internal.stage.record.InPlaceRetries;
import io.superflux.internal.stage.record.RecordOutcome;
import io.superflux.internal.stage.record.RecordRunner;

/**
 * One record at a time, on the stage thread, in offset order per partition. A record that must
 * wait — not due yet, its next in-place attempt, a retry-later wait, an outage — holds its
 * partition ({@link PauseControl}): the partition is set back to it and paused, its later records
 * are read again once the hold ends, and the other partitions go on. The poll loop never waits
 * for a record. Before each record the commit strategy may commit, or abort and rewind (then the
 * rest of the batch is stale and dropped).
 */
public final class InOrderDispatch extends StageThreadDispatch {
    private final RecordRunner<?> runner;
    private final InPlaceRetries inPlace;
    private final DueTimes dueTimes;
    private final PauseControl pauses;
    private final FinalOutcomes outcomes;
    private final OutageGate gate;
    private final CommitStrategy commits;
    private final StageProgress progress;
    private final StageTime time;
    private final BooleanSupplier halted;
    private final OutageProbes probes;
    private final KeyOrdering order;
    /** The tries of the record each partition holds for another try: one per partition at most. */
    private final Map<TopicPartition, Attempts> tries = new HashMap<>();

    /**
     * {@code dueTimes} is null in the main stage (its records are due at once); {@code halted}
     * says when to stop taking records (the stage stops or failed); {@code order} is null unless
     * the main stage of a task with ordered retries (it parks the records of held keys).
     */
    public InOrderDispatch(RecordRunner<?> runner, InPlaceRetries inPlace, DueTimes dueTimes, PauseControl pauses,
                           FinalOutcomes outcomes, CommitStrategy commits, StageProgress progress, StageTime time,
                           BooleanSupplier halted, KeyOrdering order) {
        super(runner);
        this.order = order;
        this.runner = runner;
        this.inPlace = inPlace;
        this.dueTimes = dueTimes;
        this.pauses = pauses;
        this.outcomes = outcomes;
        this.gate = outcomes.gate();
        this.commits = commits;
        this.progress = progress;
        this.time = time;
        this.halted = halted;
        this.probes = new OutageProbes(gate, pauses, progress);
    }

    @Override
    public void dispatch(ConsumerRecords<byte[], byte[]> records) {
        OutageProbes.seen(records, progress);
        try {
            for (TopicPartition partition : records.partitions()) {
                PartitionProgress partitionProgress = progress.get(partition);
                if (partitionProgress == null || pauses.isHeld(partition)) {
                    continue; // revoked meanwhile, or fetched before it was held: read again later
                }
                for (ConsumerRecord<byte[], byte[]> record : records.records(partition)) {
                    if (!commits.betweenRecords() || halted.getAsBoolean()) {
                        return; // what is not taken stays uncommitted and is read again
                    }
                    if (!offer(partition, partitionProgress, record)) {
                        break;
                    }
                }
            }
        } finally {
            runner.batchDone();
        }
    }

    /** Takes one record; false when its partition must not go on now. */
    private boolean offer(TopicPartition partition, PartitionProgress partitionProgress, ConsumerRecord<byte[], byte[]> record) {
        long due = dueTimes == null ? record.timestamp() : dueTimes.of(record);
        if (dueTimes != null && due > time.millis()) {
            pauses.hold(partition, record.offset(), PauseControl.Reason.DUE, due);
            return false;
        }
        partitionProgress.startingDue(due);
        KeyOrdering.Taken taken = order == null ? KeyOrdering.Taken.CALL : order.takes(partition, partitionProgress, record);
        if (taken == KeyOrdering.Taken.TAKEN) {
            return true; // parked behind its key's leader, or parked or released before
        }
        if (taken == KeyOrdering.Taken.WAIT) {
            pauses.hold(partition, record.offset(), PauseControl.Reason.KEYS_FULL, time.millis() + KeyOrdering.FULL_WAIT_MS);
            return false;
        }
        if (gate != null && !gate.admits(partition, record.offset())) {
            pauses.hold(partition, record.offset(), PauseControl.Reason.OUTAGE, PauseControl.UNTIL_RELEASED);
            return false;
        }
        Attempts attempts = tries.get(partition);
        if (attempts == null || attempts.offset() != record.offset()) {
            attempts = new Attempts(record.offset());
        }
        RecordOutcome tried = runner.run(record);
        InPlaceRetries.Next next = inPlace.next(record, attempts, tried, time.millis());
        if (next.again()) {
            tries.put(partition, attempts);
            pauses.hold(partition, record.offset(), tried.kind() == RecordOutcome.Kind.FORWARD
                    ? PauseControl.Reason.IN_PLACE : PauseControl.Reason.RETRY_LATER, next.againAt());
            return false;
        }
        if (!outcomes.goesOn(partition, record, next.outcome(), this::outageOver)) {
            tries.put(partition, attempts); // called again as a probe or once the outage is over
            pauses.hold(partition, record.offset(), PauseControl.Reason.OUTAGE, PauseControl.UNTIL_RELEASED);
            return false;
        }
        if (!tries.isEmpty()) {
            tries.remove(partition);
        }
        outcomes.apply(partition, partitionProgress, null, record, next.outcome());
        return next.outcome().kind() != RecordOutcome.Kind.LEAVE_UNCOMMITTED;
    }

    private void outageOver() {
        pauses.releaseAll(PauseControl.Reason.OUTAGE);
    }

    @Override
    public void collect() {
        // records run on this thread: nothing comes back later
    }

    @Override
    public void probe() {
        probes.probeIfDue();
    }

    @Override
    public void revoke(Collection<TopicPartition> partitions) {
        // holds and tries go with forget
    }

    @Override
    public void forget(Collection<TopicPartition> partitions) {
        partitions.forEach(tries::remove);
    }

    @Override
    public void stop() {
        // the loop takes no record once the stage stops
    }

    @Override
    public long millisUntilNextWake(long max) {
        return max;
    }

    @Override
    public int inFlight() {
        return 0;
    }

    @Override
    public Map<String, Integer> leftovers() {
        return Map.of("record tries", tries.size());
    }
}
