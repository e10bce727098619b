package io.superflux.internal.stage.dispatch;

import java.time.Clock;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

import io.superflux.internal.stage.forward.ForwardRecords;
import io.superflux.internal.stage.forward.ForwardTracker;
import io.superflux.internal.stage.ops.StageMeters;
import io.superflux.internal.stage.order.OrderMarks;
import io.superflux.internal.stage.outage.OutageGate;
import io.superflux.internal.stage.progress.PartitionProgress;
import io.superflux.internal.stage.record.RecordOutcome;
import io.superflux.retry.Stage;

/**
 * Carries out a record's final outcome — the one home of that for both dispatches: handled (the
 * record is complete), forwarded (complete once the forward is acknowledged), left uncommitted (a
 * stop or a revocation left it: nothing past it is committed), or the stage stopped; and asks the
 * outage gate first whether a record that failed goes on or waits. Counts it in the meters.
 * Stage thread only.
 */
public final class FinalOutcomes {
    private final Stage stage;
    private final ForwardRecords forwardRecords;
    private final ForwardTracker forwards;
    private final StageMeters meters;
    private final OutageGate gate;
    private final Clock clock;
    private final OrderMarks marks;

    /** {@code gate} is null when the stage has no outage protection; {@code marks} when the task has no ordered retries. */
    public FinalOutcomes(Stage stage, ForwardRecords forwardRecords, ForwardTracker forwards, StageMeters meters,
                         OutageGate gate, Clock clock, OrderMarks marks) {
        this.stage = stage;
        this.marks = marks;
        this.forwardRecords = forwardRecords;
        this.forwards = forwards;
        this.meters = meters;
        this.gate = gate;
        this.clock = clock;
    }

    /** The outage gate, or null. */
    public OutageGate gate() {
        return gate;
    }

    /**
     * What the gate says of a final outcome: false if the record must wait for the outage's end
     * instead of going on. A success may end the outage (then {@code outageOver} runs).
     */
    boolean goesOn(TopicPartition partition, ConsumerRecord<byte[], byte[]> record, RecordOutcome outcome, Runnable outageOver) {
        return gate == null || gate.goesOn(partition, record.offset(), record.key(), outcome, outageOver);
    }

    /**
     * Carries out {@code outcome}: {@code pending} is the record's entry if it was started earlier
     * (a lane), null if it ran just now on the stage thread.
     *
     * @throws VirtualMachineError if the outcome says the stage must stop
     */
    void apply(TopicPartition partition, PartitionProgress progress, PartitionProgress.Pending pending,
               ConsumerRecord<byte[], byte[]> record, RecordOutcome outcome) {
        if (!outcome.earlier().isEmpty()) {
            meters.failed(outcome.earlier().size());
            meters.retriedInPlace(outcome.earlier().size());
        }
        switch (outcome.kind()) {
            case HANDLED -> {
                if (pending == null && marks != null && marks.handled(partition, progress, record)) {
                    // complete once the order topic has its entry
                } else if (pending == null) {
                    progress.handled(record.offset());
                } else {
                    progress.complete(pending);
                }
                if (stage.kind() == Stage.Kind.DEAD_LETTER) {
                    meters.deadLettered();
                } else {
                    meters.handled();
                }
            }
            case FORWARD -> {
                if (outcome.poisonPill()) {
                    meters.poisonPill();
                } else {
                    meters.failed();
                }
                ProducerRecord<byte[], byte[]> forward = forwardRecords.of(record, outcome.targetStage(), outcome.error(),
                        outcome.earlier(), clock.millis());
                OrderMarks.Forward marked = marks != null && pending == null
                        ? marks.forwarding(partition, progress, record, outcome, forward) : new OrderMarks.Forward(forward, null);
                forwards.send(partition, progress, pending != null ? pending : progress.started(record.offset()),
                        marked.record(), marked.delivered());
            }
            case LEAVE_UNCOMMITTED -> progress.giveUp(pending != null ? pending : progress.started(record.offset()));
            case STOP_STAGE -> throw (VirtualMachineError) outcome.error();
            default -> throw new IllegalStateException("not a final outcome: " + outcome);
        }
    }
}
