package io.superflux.internal.stage.simulation;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.superflux.retry.Stage;

/**
 * Schedules written by hand for defects found in the engine, run through the simulation: each
 * keeps every invariant of {@link SimulationTest} (nothing committed past an unfinished record,
 * never early, no duplicate forward under exactly-once, key order, every record committed within
 * its liveness bound), and some promise a time bound on top, in simulated time.
 */
class SimulationScenariosTest {
    @BeforeAll
    static void quiet() {
        SimulationTest.quiet();
    }

    @AfterAll
    static void loud() {
        SimulationTest.loud();
    }

    private static Schedule.Config config(Stage.Kind kind, int concurrency, boolean exactlyOnce, int inPlace, long backoffMillis,
                                          Schedule.Outage outage, double timeScale) {
        int stage = kind == Stage.Kind.MAIN ? 0 : kind == Stage.Kind.RETRY ? 1 : 3;
        return new Schedule.Config(kind, stage, 2, 1, concurrency, exactlyOnce, inPlace, backoffMillis, outage, false,
                timeScale, 100, 5_000, 5_000, false, null, null);
    }

    private static Schedule.Input input(long id, String key, long at, Schedule.Behaviour behaviour, int failures) {
        return slow(id, key, at, behaviour, failures, 0);
    }

    private static Schedule.Input slow(long id, String key, long at, Schedule.Behaviour behaviour, int failures, long millis) {
        return new Schedule.Input(id, 0, key, at, -1, false, behaviour, failures, millis, Schedule.Value.GOOD, 0);
    }

    /** Runs {@code schedule} (every invariant must hold) and returns the world, for its figures. */
    private static SimWorld run(Schedule schedule) {
        SimWorld world = new SimWorld(schedule, true);
        try {
            world.run();
        } catch (Throwable e) {
            throw new AssertionError(e.getMessage(), e);
        }
        return world;
    }

    private static void keepsTheInvariants(Schedule schedule) {
        Simulation.Failure failure = Simulation.run(schedule, true);
        assertNull(failure, () -> failure.firstLine() + "\n  " + String.join("\n  ",
                failure.trace().subList(Math.max(0, failure.trace().size() - 60), failure.trace().size())));
    }

    /**
     * 30 records that always fail, then 200 good ones, in one partition; retryInPlace(2, 20 ms) and
     * the standard outage protection. The bad records trip the breaker; each failed probe goes on to
     * the retry topic; within 120 s the 200 good records are handled and the 30 bad ones forwarded.
     */
    @Test
    void aRunOfRecordsThatFailOnTheirOwnDoesNotHoldTheStage() {
        for (int concurrency : new int[] {1, 4}) {
            List<Schedule.Input> inputs = new ArrayList<>();
            for (int i = 0; i < 230; i++) {
                inputs.add(input(i, "k" + i, i, i < 30 ? Schedule.Behaviour.ALWAYS_FAIL : Schedule.Behaviour.SUCCEED, 0));
            }
            Schedule.Outage standard = new Schedule.Outage(0.9, 20, 10_000, 5_000, 300_000);
            keepsTheInvariants(new Schedule(3, config(Stage.Kind.MAIN, concurrency, false, 2, 20, standard, 1.0), inputs,
                    List.of(), 0, 120_000));
        }
    }

    /**
     * Exactly-once: each call takes 5 ms and the commit interval is 1 ms, so the transaction is
     * committed between every two records of the batch, and those commits abort; the next record
     * must wait for an in-place retry, or fails. Nothing before it may be skipped, and no forward
     * may be visible twice.
     */
    @Test
    void anAbortBetweenTwoRecordsReadsTheWholeBatchAgain() {
        List<Schedule.Input> inputs = List.of(slow(0, "a", 0, Schedule.Behaviour.ALWAYS_FAIL, 0, 5),
                slow(1, "b", 0, Schedule.Behaviour.FAIL_N, 1, 5), slow(2, "c", 0, Schedule.Behaviour.SUCCEED, 0, 5),
                slow(3, "d", 0, Schedule.Behaviour.ALWAYS_FAIL, 0, 5), slow(4, "e", 0, Schedule.Behaviour.ALWAYS_FAIL, 0, 5));
        for (long seed = 1; seed <= 20; seed++) {
            keepsTheInvariants(new Schedule(seed, new Schedule.Config(Stage.Kind.MAIN, 0, 2, 1, 1, true, 1, 20, null, false,
                    1.0, 1, 5_000, 5_000, false, null, null), inputs, List.of(new Schedule.TransactionFaults(0, 2_000, 1.0, false, 0,
                    "ABORTABLE,EPOCH")), 2_000, 60_000));
        }
    }

    /** Exactly-once: a commit that times out is committed again; an abort then would throw IllegalStateException. */
    @Test
    void aCommitThatTimedOutIsRetriedNotAborted() {
        List<Schedule.Input> inputs = List.of(input(0, "a", 0, Schedule.Behaviour.ALWAYS_FAIL, 0),
                input(1, "b", 50, Schedule.Behaviour.SUCCEED, 0), input(2, "c", 400, Schedule.Behaviour.ALWAYS_FAIL, 0));
        for (long seed = 1; seed <= 20; seed++) {
            keepsTheInvariants(new Schedule(seed, config(Stage.Kind.MAIN, 1, true, 0, 0, null, 1.0), inputs,
                    List.of(new Schedule.TransactionFaults(0, 1_000, 1.0, false, 0, "TIMEOUT")), 1_000, 60_000));
        }
    }

    /** Exactly-once: InvalidProducerEpochException from a commit is abortable (KIP-588): abort, read again, go on. */
    @Test
    void anEpochBumpAbortsTheTransactionAndTheStageGoesOn() {
        List<Schedule.Input> inputs = List.of(input(0, "a", 0, Schedule.Behaviour.ALWAYS_FAIL, 0),
                input(1, "b", 50, Schedule.Behaviour.SUCCEED, 0));
        keepsTheInvariants(new Schedule(13, config(Stage.Kind.MAIN, 1, true, 0, 0, null, 1.0), inputs,
                List.of(new Schedule.TransactionFaults(0, 1_000, 1.0, false, 0, "EPOCH")), 1_000, 60_000));
    }

    /**
     * Lanes, an outage for all of the run's first 20 s: records park; a revocation in the middle
     * must not wait its budget for parked records (they cannot finish there), nor a stop its timeout.
     */
    @Test
    void revocationAndStopDoNotWaitForParkedRecords() {
        List<Schedule.Input> inputs = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            inputs.add(input(i, "k" + i, 10 * i, Schedule.Behaviour.SUCCEED, 0));
        }
        Schedule.Outage outage = new Schedule.Outage(0.5, 3, 5_000, 1_000, 4_000);
        Schedule schedule = new Schedule(5, config(Stage.Kind.MAIN, 4, false, 0, 0, outage, 1.0), inputs,
                List.of(new Schedule.DependencyDown(0, 20_000), new Schedule.Rebalance(5_000, false, List.of(0), 1_000),
                        new Schedule.Stop(10_000, 500)), 20_000, 120_000);
        SimWorld world = run(schedule);
        assertTrue(world.history().longestRevocation() < 1_000, "revocation took " + world.history().longestRevocation()
                + " ms of its 5,000 ms budget");
        assertTrue(world.history().longestStop() < 1_000, "a stop took " + world.history().longestStop()
                + " ms of its 5,000 ms timeout");
    }

    /**
     * A resting retry stage (nothing due: no fetches for half its shortest wait) that gets a
     * partition assigned fetches it at once: its records may be due already.
     */
    @Test
    void aPartitionAssignedWhileTheStageRestsIsFetchedAtOnce() {
        Schedule.Input due = new Schedule.Input(0, 0, "a", 100, 10_000, false, Schedule.Behaviour.SUCCEED, 0, 0,
                Schedule.Value.GOOD, 0);
        Schedule schedule = new Schedule(11, config(Stage.Kind.RETRY, 1, false, 0, 0, null, 1.0), List.of(due),
                List.of(new Schedule.Rebalance(9_000, false, List.of(0), 1_500)), 10_500, 120_000);
        SimWorld world = run(schedule);
        assertTrue(world.history().latestFirstCall() < 1_000, "called " + world.history().latestFirstCall()
                + " ms after it was due");
    }

    /**
     * Lanes and long in-place waits: a record of a revoked partition is not called again (its wait
     * ends with the revocation; the partition's next owner reads it).
     */
    @Test
    void aLaneDoesNotGoOnWithARevokedPartitionsRecord() {
        List<Schedule.Input> inputs = List.of(input(0, "a", 0, Schedule.Behaviour.FAIL_N, 5),
                input(1, "b", 0, Schedule.Behaviour.SUCCEED, 0));
        keepsTheInvariants(new Schedule(7, config(Stage.Kind.MAIN, 4, false, 5, 2_000, null, 1.0), inputs,
                List.of(new Schedule.Rebalance(1_000, false, List.of(0), 30_000)), 1_000, 120_000));
    }
}
