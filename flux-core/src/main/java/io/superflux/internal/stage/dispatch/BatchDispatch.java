package io.superflux.internal.stage.dispatch;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;

import io.superflux.internal.stage.commit.CommitStrategy;
import io.superflux.internal.stage.environment.StageTime;
import io.superflux.internal.stage.ops.StageMeters;
import io.superflux.internal.stage.outage.OutageGate;
import io.superflux.internal.stage.position.DueTimes;
import io.superflux.internal.stage.position.PauseControl;
import io.superflux.internal.stage.progress.PartitionProgress;
import io.superflux.internal.stage.progress.StageProgress;
import io.superflux.internal.stage.record.Attempts;
import io.superflux.internal.stage.record.InPlaceRetries;
import io.superflux.internal.stage.record.RecordOutcome;
import io.superflux.internal.stage.record.RecordRunner;
import io.superflux.task.BatchLimits;

/**
 * The records of a batch task's stage, called in batches on the stage thread: gathered
 * ({@link BatchGathering}) in offset order per partition until the batch is full or waited its
 * {@code maxWait}, then called at once; each record's outcome is carried out alone by
 * {@link FinalOutcomes}, in offset order, as if it had been called by itself. A record to be tried
 * again — in place, or a deserializer that failed — holds its partition ({@link PauseControl})
 * as the one-at-a-time dispatch does: the partition is set back to it, and it and the batch's later
 * records of that partition are read and called again once the hold ends (so a key's records are
 * called in order, and nothing forwarded lies past a record still to be tried, which exactly-once
 * needs). Retry stages gather only records that are due, holding a partition at its first record
 * that is not. For outage protection a batch is one call: it failed if every record of it failed
 * its call, and then, if that trips the breaker, each of its partitions waits at its first record;
 * else it succeeded if any record was handled. Probes are single records. Before each batch the
 * commit strategy may commit, or abort and rewind (then the records in hand are stale and dropped).
 */
public final class BatchDispatch extends StageThreadDispatch {
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
    private final StageMeters meters;
    private final OutageProbes probes;
    private final BatchGathering gathering;
    /** The tries of the record each partition holds for another try: one per partition at most. */
    private final Map<TopicPartition, Attempts> tries = new HashMap<>();
    /** The commit strategy rewound before a batch: the rest of the poll's records are stale. */
    private boolean rewound;

    /** {@code dueTimes} is null in the main stage; {@code halted} says when to stop taking records. */
    public BatchDispatch(RecordRunner<?> runner, InPlaceRetries inPlace, DueTimes dueTimes, PauseControl pauses,
                         FinalOutcomes outcomes, CommitStrategy commits, StageProgress progress, StageTime time,
                         BooleanSupplier halted, StageMeters meters, BatchLimits limits) {
        super(runner);
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
        this.meters = meters;
        this.probes = new OutageProbes(gate, pauses, progress);
        this.gathering = new BatchGathering(limits);
    }

    @Override
    public void dispatch(ConsumerRecords<byte[], byte[]> records) {
        OutageProbes.seen(records, progress);
        rewound = false;
        try {
            for (TopicPartition partition : records.partitions()) {
                PartitionProgress partitionProgress = progress.get(partition);
                if (partitionProgress == null) {
                    continue; // revoked meanwhile
                }
                for (ConsumerRecord<byte[], byte[]> record : records.records(partition)) {
                    if (halted.getAsBoolean() || partitionProgress.isGone()) {
                        return; // what is not taken stays uncommitted and is read again
                    }
                    if (!offer(partition, partitionProgress, record)) {
                        if (rewound) {
                            return;
                        }
                        break;
                    }
                }
            }
            if (!halted.getAsBoolean() && gathering.due(time.millis())) {
                callGathered();
            }
        } finally {
            runner.batchDone();
        }
    }

    /** Gathers one record (calling the batch when it is full); false when its partition must not go on now. */
    private boolean offer(TopicPartition partition, PartitionProgress partitionProgress, ConsumerRecord<byte[], byte[]> record) {
        if (pauses.isHeld(partition)) {
            return false; // held by a batch called meanwhile
        }
        long due = dueTimes == null ? record.timestamp() : dueTimes.of(record);
        if (dueTimes != null && due > time.millis()) {
            pauses.hold(partition, record.offset(), PauseControl.Reason.DUE, due);
            return false;
        }
        if (gate != null && !gate.admits(partition, record.offset())) {
            pauses.hold(partition, record.offset(), PauseControl.Reason.OUTAGE, PauseControl.UNTIL_RELEASED);
            return false;
        }
        Attempts attempts = tries.get(partition);
        BatchEntry entry = new BatchEntry(partition, partitionProgress, record,
                attempts != null && attempts.offset() == record.offset() ? attempts : new Attempts(record.offset()));
        if (gathering.overflowsWith(entry)) {
            // the batch before it is called first; what that changed (a hold, an outage) is asked again
            return callGathered() && !halted.getAsBoolean() && offer(partition, partitionProgress, record);
        }
        partitionProgress.startingDue(due);
        gathering.add(entry, time.millis());
        if (gathering.full() || gate != null && gate.isOpen()) { // a probe is called at once
            return callGathered();
        }
        return true;
    }

    /** Calls the gathered batch; false if the commit strategy rewound first (what is in hand is stale). */
    private boolean callGathered() {
        if (!commits.betweenRecords()) {
            rewound = true;
            return false;
        }
        List<BatchEntry> batch = gathering.take();
        if (!batch.isEmpty()) {
            call(batch);
        }
        return true;
    }

    /** Calls {@code batch} once and carries out what became of each record, in offset order per partition. */
    private void call(List<BatchEntry> batch) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>(batch.size());
        batch.forEach(entry -> records.add(entry.record));
        long started = time.nanos();
        RecordOutcome[] tried = runner.runBatch(records);
        countCall(tried, time.nanos() - started);
        long now = time.millis();
        Map<TopicPartition, Long> readAgain = new HashMap<>(); // partition → when its record is tried again
        List<BatchEntry> finals = new ArrayList<>(batch.size());
        List<RecordOutcome> finalOutcomes = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            BatchEntry entry = batch.get(i);
            if (readAgain.containsKey(entry.partition)) {
                continue; // after a record tried again: read again behind it
            }
            InPlaceRetries.Next next = inPlace.next(entry.record, entry.attempts, tried[i], now);
            if (next.again()) {
                readAgain.put(entry.partition, next.againAt());
                tries.put(entry.partition, entry.attempts);
                pauses.hold(entry.partition, entry.record.offset(), tried[i].kind() == RecordOutcome.Kind.FORWARD
                        ? PauseControl.Reason.IN_PLACE : PauseControl.Reason.RETRY_LATER, next.againAt());
            } else {
                finals.add(entry);
                finalOutcomes.add(next.outcome());
            }
        }
        if (gate != null && !finals.isEmpty() && waitsForOutage(finals, finalOutcomes)) {
            Set<TopicPartition> waiting = new HashSet<>();
            for (BatchEntry entry : finals) {
                if (!waiting.add(entry.partition)) {
                    continue;
                }
                // At its first final record, before any record tried again. If one is (its in-place wait is not over),
                // the partition is read again no sooner than that: the gate then holds the record for the outage.
                Long againAt = readAgain.get(entry.partition);
                if (againAt != null) {
                    pauses.hold(entry.partition, entry.record.offset(), PauseControl.Reason.IN_PLACE, againAt);
                } else {
                    tries.put(entry.partition, entry.attempts); // called again as a probe or once the outage is over
                    pauses.hold(entry.partition, entry.record.offset(), PauseControl.Reason.OUTAGE, PauseControl.UNTIL_RELEASED);
                }
            }
            return;
        }
        apply(finals, finalOutcomes);
    }

    /** Carries out the final outcomes in order; a partition stops at a record a stop left uncommitted. */
    private void apply(List<BatchEntry> finals, List<RecordOutcome> finalOutcomes) {
        Set<TopicPartition> stopped = new HashSet<>();
        for (int i = 0; i < finals.size(); i++) {
            BatchEntry entry = finals.get(i);
            if (stopped.contains(entry.partition)) {
                continue; // not started: read again, and nothing forwarded lies past the record left
            }
            Attempts held = tries.get(entry.partition);
            if (held != null && held.offset() == entry.record.offset()) {
                tries.remove(entry.partition);
            }
            outcomes.apply(entry.partition, entry.progress, null, entry.record, finalOutcomes.get(i));
            if (finalOutcomes.get(i).kind() == RecordOutcome.Kind.LEAVE_UNCOMMITTED) {
                stopped.add(entry.partition);
            }
        }
    }

    /** Counts a call in the batch meters: the records it was called with (not those whose value could not be read). */
    private void countCall(RecordOutcome[] tried, long nanos) {
        int called = 0;
        for (RecordOutcome outcome : tried) {
            if (!outcome.poisonPill() && outcome.kind() != RecordOutcome.Kind.RETRY_DESERIALIZER) {
                called++;
            }
        }
        if (called > 0) {
            meters.batch(called, nanos);
        }
    }

    /**
     * Tells the gate of a batch's final outcomes as of one call: it failed if each of them is a
     * failed call, else it succeeded if any record was handled. True if the failed records must
     * wait for the outage's end.
     */
    private boolean waitsForOutage(List<BatchEntry> finals, List<RecordOutcome> finalOutcomes) {
        int failedCalls = 0;
        int handled = -1;
        for (int i = 0; i < finals.size(); i++) {
            RecordOutcome outcome = finalOutcomes.get(i);
            if (outcome.retriableInPlace()) {
                failedCalls++;
            } else if (outcome.kind() == RecordOutcome.Kind.HANDLED && handled < 0) {
                handled = i;
            }
        }
        BatchEntry first = finals.get(0);
        if (failedCalls == finals.size()) {
            OutageGate.Verdict verdict = gate.failed(first.partition, first.record.offset(), first.record.key(),
                    finalOutcomes.get(0).error());
            return verdict == OutageGate.Verdict.WAIT;
        }
        if (handled >= 0) {
            BatchEntry success = finals.get(handled);
            if (gate.succeeded(success.partition, success.record.offset(), success.record.key())) {
                outageOver();
            }
        } else {
            gate.inconclusive(first.partition, first.record.offset()); // a bad value, a declared exception: not the dependency's doing
        }
        return false;
    }

    private void outageOver() {
        pauses.releaseAll(PauseControl.Reason.OUTAGE);
    }

    @Override
    public void collect() {
        // calls come back on the spot: nothing to collect (and no batch is called while a revocation settles)
    }

    @Override
    public void callDue() {
        if (!halted.getAsBoolean() && gathering.due(time.millis())) {
            callGathered();
            runner.batchDone();
        }
    }

    @Override
    public void positionsReset(Map<TopicPartition, Long> positions) {
        gathering.dropFrom(positions); // read again from the new position; what lies below it was read and stays
    }

    @Override
    public void probe() {
        probes.probeIfDue();
    }

    @Override
    public void revoke(Collection<TopicPartition> partitions) {
        forget(partitions);
    }

    @Override
    public void forget(Collection<TopicPartition> partitions) {
        gathering.drop(partitions);
        partitions.forEach(tries::remove);
    }

    @Override
    public void stop() {
        gathering.clear(); // not started: read again by the next owner
    }

    @Override
    public long millisUntilNextWake(long max) {
        return gathering.millisUntilDue(time.millis(), max);
    }

    @Override
    public int inFlight() {
        return gathering.size();
    }

    @Override
    public Map<String, Integer> leftovers() {
        return Map.of("batch records gathered", gathering.size(), "record tries", tries.size());
    }
}
