package io.superflux.internal.stage.dispatch;

import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;

import io.superflux.internal.stage.outage.OutageGate;
import io.superflux.internal.stage.position.PauseControl;
import io.superflux.internal.stage.progress.PartitionProgress;
import io.superflux.internal.stage.progress.StageProgress;

/**
 * Where an outage probe comes from when no waiting lane record can be it: the next record of a
 * partition held for the outage, the held partitions taking turns (else any assigned partition),
 * so that no partition's head record probes every time.
 */
final class OutageProbes {
    private final OutageGate gate;
    private final PauseControl pauses;
    private final StageProgress progress;
    private int turn;

    OutageProbes(OutageGate gate, PauseControl pauses, StageProgress progress) {
        this.gate = gate;
        this.pauses = pauses;
        this.progress = progress;
    }

    /** Whether a probe is due now. */
    boolean due() {
        return gate != null && gate.probeDue();
    }

    /** If a probe is due, lets the next record of the partition whose turn it is be the probe. */
    void probeIfDue() {
        if (!due()) {
            return;
        }
        List<TopicPartition> candidates = pauses.heldFor(PauseControl.Reason.OUTAGE);
        if (candidates.isEmpty()) {
            candidates = new ArrayList<>(progress.partitions());
        }
        if (candidates.isEmpty()) {
            return;
        }
        TopicPartition partition = candidates.get(Math.floorMod(turn++, candidates.size()));
        gate.probing(partition, -1);
        pauses.release(partition, PauseControl.Reason.OUTAGE); // a hold for another reason (an in-place wait) stays
    }

    /** Every partition of a poll's batch was read from its first record: where an aborted transaction reads again. */
    static void seen(ConsumerRecords<byte[], byte[]> records, StageProgress progress) {
        for (TopicPartition partition : records.partitions()) {
            PartitionProgress partitionProgress = progress.get(partition);
            if (partitionProgress != null) {
                partitionProgress.seen(records.records(partition).get(0).offset());
            }
        }
    }
}
