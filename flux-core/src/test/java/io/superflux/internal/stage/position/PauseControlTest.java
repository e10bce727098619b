package io.superflux.internal.stage.position;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.superflux.testing.ManualClock;

/** Holds, releases, rewinds and the pauses the stage wants, against kafka-clients' MockConsumer. */
class PauseControlTest {
    private static final TopicPartition P0 = new TopicPartition("orders", 0);
    private static final TopicPartition P1 = new TopicPartition("orders", 1);
    private static final TopicPartition P2 = new TopicPartition("orders", 2);


    private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
    private final ManualClock clock = new ManualClock(0);
    private final PauseControl pauses = new PauseControl(consumer, clock);

    @BeforeEach
    void assign() {
        consumer.assign(List.of(P0, P1, P2));
        consumer.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L, P2, 0L));
        for (TopicPartition partition : List.of(P0, P1, P2)) {
            consumer.seek(partition, 20);
        }
    }

    @Test
    void aHoldSetsThePartitionBackToItsRecordAndPausesItUntilItsTime() {
        clock.set(1_000);
        pauses.hold(P0, 12, PauseControl.Reason.DUE, 1_500);
        assertEquals(12, consumer.position(P0));
        assertEquals(Set.of(P0), consumer.paused());
        assertTrue(pauses.isHeld(P0));
        assertFalse(pauses.isHeld(P1), "other partitions are not held");
        assertEquals(1_500, pauses.dueAt(P0));
        assertEquals(500, pauses.millisUntilNextRelease(10_000));
        assertEquals(100, pauses.millisUntilNextRelease(100), "never waits longer than asked");
        clock.set(1_499);
        assertEquals(List.of(), pauses.releaseDue());
        clock.set(1_500);
        assertEquals(List.of(P0), pauses.releaseDue(), "released at its time, not before");
        pauses.reconcile(PauseControl.Wanted.NOTHING_MORE);
        assertEquals(Set.of(), consumer.paused());
    }

    @Test
    void aSecondHoldFurtherOnNeverMovesThePositionForward() {
        pauses.hold(P0, 12, PauseControl.Reason.IN_PLACE, 100);
        pauses.hold(P0, 15, PauseControl.Reason.OUTAGE, PauseControl.UNTIL_RELEASED);
        assertEquals(12, consumer.position(P0), "records 12..14 are still to be read");
        assertEquals(List.of(), pauses.heldFor(PauseControl.Reason.OUTAGE));
        pauses.hold(P0, 9, PauseControl.Reason.OUTAGE, PauseControl.UNTIL_RELEASED);
        assertEquals(9, consumer.position(P0), "an earlier record replaces the hold");
        assertEquals(List.of(P0), pauses.heldFor(PauseControl.Reason.OUTAGE));
    }

    @Test
    void aRewindReplacesAnyHold() {
        pauses.hold(P0, 12, PauseControl.Reason.OUTAGE, PauseControl.UNTIL_RELEASED);
        pauses.rewind(P0, 5, 300);
        assertEquals(5, consumer.position(P0));
        clock.set(300);
        assertEquals(List.of(P0), pauses.releaseDue());
    }

    @Test
    void holdsForOneReasonAreReleasedTogether() {
        pauses.hold(P0, 1, PauseControl.Reason.OUTAGE, PauseControl.UNTIL_RELEASED);
        pauses.hold(P1, 2, PauseControl.Reason.DUE, 5_000);
        pauses.hold(P2, 3, PauseControl.Reason.OUTAGE, PauseControl.UNTIL_RELEASED);
        assertEquals(List.of(P0, P2), pauses.releaseAll(PauseControl.Reason.OUTAGE));
        assertEquals(Set.of(P1), pauses.held());
    }

    @Test
    void theStageWantsEverythingPausedSaveAProbesPartition() {
        pauses.hold(P1, 2, PauseControl.Reason.DUE, 5_000);
        pauses.reconcile(new PauseControl.Wanted(true, P0, List.of()));
        assertEquals(Set.of(P1, P2), consumer.paused());
        pauses.reconcile(new PauseControl.Wanted(false, null, List.of(P2)));
        assertEquals(Set.of(P1, P2), consumer.paused());
        pauses.reconcile(PauseControl.Wanted.NOTHING_MORE);
        assertEquals(Set.of(P1), consumer.paused(), "the hold stays");
    }

    @Test
    void revokedPartitionsAreForgotten() {
        pauses.hold(P0, 1, PauseControl.Reason.DUE, 5_000);
        pauses.hold(P1, 1, PauseControl.Reason.DUE, 5_000);
        pauses.forget(List.of(P0));
        assertEquals(Set.of(P1), pauses.held());
        assertEquals(1, pauses.size());
    }
}
