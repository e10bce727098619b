package io.superflux.internal.stage.outage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import io.superflux.retry.StagePlan;
import io.superflux.task.OutageProtection;
import io.superflux.task.TaskSpec;
import io.superflux.testing.ManualClock;

/**
 * The gate's state machine: a trip holds the tripping record; probes take turns; a failed probe
 * goes on to its next stage and the next probe follows; a round of failed probes doubles the wait;
 * a successful probe ends the outage.
 */
class OutageGateTest {
    private static final TopicPartition P0 = new TopicPartition("orders", 0);
    private static final TopicPartition P1 = new TopicPartition("orders", 1);


    private final ManualClock clock = new ManualClock(1_000_000);
    private final StagePlan plan = TaskSpec.topic("orders").group("g").retries(2).plan();
    private final OutageGate gate = new OutageGate(OutageProtection.standard().failureRate(0.8).minimumCalls(4)
            .window(Duration.ofSeconds(10)).firstProbe(Duration.ofSeconds(1)).maxProbeInterval(Duration.ofSeconds(4)), clock,
            plan.stage(0), "OrderTask");
    private final IllegalStateException down = new IllegalStateException("database down");

    private void trip() {
        for (int offset = 0; offset < 3; offset++) {
            assertSame(OutageGate.Verdict.FORWARD, gate.failed(P0, offset, key(offset), down));
        }
        assertSame(OutageGate.Verdict.WAIT, gate.failed(P0, 3, key(3), down), "the tripping record waits");
        assertTrue(gate.isOpen());
    }

    private static byte[] key(long n) {
        return ("k" + n).getBytes();
    }

    @Test
    void whileOpenNothingIsAdmittedUntilAProbeIsChosen() {
        trip();
        assertFalse(gate.admits(P0, 3));
        assertFalse(gate.probeDue());
        clock.advance(1_000);
        assertTrue(gate.probeDue());
        gate.probing(P1, -1);
        assertFalse(gate.probeDue(), "one probe at a time");
        assertFalse(gate.admits(P0, 3));
        assertTrue(gate.admits(P1, 8), "the next record of the chosen partition is the probe");
        assertTrue(gate.isProbe(P1, 8));
        assertFalse(gate.admits(P1, 9), "and only that one");
        assertSame(OutageGate.Verdict.WAIT, gate.failed(P0, 4, key(4), down), "a record that ran meanwhile waits");
    }

    @Test
    void aFailedProbeGoesOnAndTheNextProbeFollowsAtOnceUntilARoundFailed() {
        trip();
        clock.advance(1_000);
        for (int probe = 0; probe < OutageGate.PROBES_PER_ROUND; probe++) {
            assertTrue(gate.probeDue(), "probe " + probe);
            gate.probing(P0, 10 + probe);
            assertTrue(gate.admits(P0, 10 + probe));
            assertSame(OutageGate.Verdict.FORWARD, gate.failed(P0, 10 + probe, key(10 + probe), down),
                    "a failed probe goes on to its next stage: a record that fails on its own never holds the stage");
        }
        assertFalse(gate.probeDue(), "a round failed: the next waits twice as long");
        clock.advance(1_999);
        assertFalse(gate.probeDue());
        clock.advance(1);
        assertTrue(gate.probeDue());
        gate.probing(P0, 20);
        gate.admits(P0, 20);
        assertTrue(gate.succeeded(P0, 20, key(20)), "a successful probe ends the outage");
        assertFalse(gate.isOpen());
        assertTrue(gate.admits(P1, 99));
    }

    @Test
    void theProbeIntervalDoublesUpToTheLongest() {
        trip();
        long[] waits = {1_000, 2_000, 4_000, 4_000};
        for (long wait : waits) {
            clock.advance(wait - 1);
            assertFalse(gate.probeDue());
            clock.advance(1);
            for (int probe = 0; probe < OutageGate.PROBES_PER_ROUND; probe++) {
                assertTrue(gate.probeDue());
                gate.probing(P0, probe);
                gate.admits(P0, probe);
                gate.failed(P0, probe, key(probe), down);
            }
        }
    }

    @Test
    void anInconclusiveProbeLetsTheNextRecordOfItsPartitionProbe() {
        trip();
        clock.advance(1_000);
        gate.probeDue();
        gate.probing(P0, -1);
        assertTrue(gate.admits(P0, 5));
        gate.inconclusive(P0, 5);
        assertTrue(gate.admits(P0, 6));
        assertTrue(gate.isProbe(P0, 6));
    }

    @Test
    void aProbeOfARevokedPartitionIsOffAndAnotherProbesAtOnce() {
        trip();
        clock.advance(1_000);
        gate.probeDue();
        gate.probing(P0, 3);
        gate.forget(List.of(P0));
        assertNull(gate.probePartition());
        assertTrue(gate.probeDue());
    }

    @Test
    void aProbeThatGivesNothingPassesTheTurnOn() {
        trip();
        clock.advance(1_000);
        gate.probeDue();
        gate.probing(P1, -1);
        clock.advance(3_999);
        assertFalse(gate.probeDue());
        clock.advance(1);
        assertTrue(gate.probeDue(), "its partition had nothing to read within the longest probe interval");
    }

    @Test
    void successesWhileClosedCountAgainstTheRate() {
        for (int offset = 0; offset < 20; offset++) {
            if (offset % 2 == 0) {
                gate.succeeded(P0, offset, key(offset));
            } else {
                assertSame(OutageGate.Verdict.FORWARD, gate.failed(P0, offset, key(offset), down), "50 % is below 80 %");
            }
        }
        assertFalse(gate.isOpen());
        assertEquals(OutageGate.PROBES_PER_ROUND, 5);
    }
}
