package io.superflux.internal.stage.simulation;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import io.superflux.retry.Stage;
import io.superflux.task.BatchLimits;

/**
 * One simulated run: the stage and task configuration, the records that arrive and how each
 * one's calls behave, and the faults. Drawn from a seed ({@link ScheduleGenerator}); shrunk by
 * dropping records and faults ({@link ScheduleShrinker}). Times are milliseconds after the start.
 */
record Schedule(long seed, Config config, List<Input> inputs, List<Fault> faults, long faultsEndAt, long livenessMillis) {
    /** How long after the faults end everything must be committed, unless a schedule says otherwise. */
    static final long LIVENESS_MILLIS = 10 * 60_000;

    /** The stage under test and the task's options: one point of the configuration matrix. */
    record Config(Stage.Kind kind, int stage, int retries, int partitions, int concurrency, boolean exactlyOnce,
                  int inPlaceAttempts, long inPlaceBackoffMillis, Outage outage, boolean routing, double timeScale,
                  long commitIntervalMillis, long shutdownTimeoutMillis, long revocationBudgetMillis,
                  boolean failingRevocations, BatchLimits batch, io.superflux.task.KeyOrder keyOrder) {
        /** The same options with ordered retries {@code order}. */
        Config withKeyOrder(io.superflux.task.KeyOrder order) {
            return new Config(kind, stage, retries, partitions, concurrency, exactlyOnce, inPlaceAttempts, inPlaceBackoffMillis,
                    outage, routing, timeScale, commitIntervalMillis, shutdownTimeoutMillis, revocationBudgetMillis,
                    failingRevocations, batch, order);
        }

        @Override
        public String toString() {
            return kind + " stage " + stage + " of " + retries + " retries, " + partitions + " partition(s), concurrency "
                    + concurrency + ", " + (exactlyOnce ? "exactly-once" : "at-least-once") + ", in place " + inPlaceAttempts
                    + "x" + inPlaceBackoffMillis + "ms, outage " + (outage == null ? "off" : outage) + ", routing "
                    + (routing ? "on" : "off") + ", time scale " + timeScale + ", commit every " + commitIntervalMillis
                    + " ms, shutdown timeout " + shutdownTimeoutMillis + " ms, revocation budget " + revocationBudgetMillis + " ms"
                    + (failingRevocations ? ", every other onRevoked throws" : "")
                    + (batch == null ? "" : ", batches of " + batch.maxRecords() + " records/" + batch.maxBytes() + " bytes/"
                    + batch.maxWait().toMillis() + " ms")
                    + (keyOrder == null ? "" : ", ordered by key (" + keyOrder.afterDeadLetter().name().toLowerCase()
                    + " after a dead letter, at most " + keyOrder.maxHeld() + " held)");
        }
    }

    /** Outage protection, with waits short enough for a simulation. */
    record Outage(double failureRate, int minimumCalls, long windowMillis, long firstProbeMillis, long maxProbeMillis) {
    }

    /** How a record's calls go. */
    enum Behaviour { SUCCEED, FAIL_N, ALWAYS_FAIL, FATAL, ROUTED, HANG_ONCE }

    /** What the deserializer does with a record. */
    enum Value { GOOD, BAD, TRANSIENT }

    /**
     * One record of the stage's input topic.
     *
     * @param dueAt       its due time (retry and dead-letter stages), or -1
     * @param garbledDue  its due-time header is not a number: the engine falls back to timestamp + longest wait
     * @param failures    FAIL_N: how many calls fail first; the dead-letter stage: how many hook calls fail
     * @param callMillis  how long each call takes
     * @param valueFailures TRANSIENT: how many reads fail before one succeeds
     */
    record Input(long id, int partition, String key, long arriveAt, long dueAt, boolean garbledDue, Behaviour behaviour,
                 int failures, long callMillis, Value value, int valueFailures) {
        @Override
        public String toString() {
            return "#" + id + "(p" + partition + " key=" + key + " at " + arriveAt + (dueAt >= 0 ? " due " + dueAt : "")
                    + (garbledDue ? " garbled-due" : "") + " " + behaviour + (failures > 0 ? "x" + failures : "")
                    + (callMillis > 0 ? " " + callMillis + "ms" : "") + (value != Value.GOOD ? " " + value
                    + (valueFailures > 0 ? "x" + valueFailures : "") : "") + ")";
        }
    }

    /** A fault, at a moment or over a window. */
    sealed interface Fault permits DependencyDown, Rebalance, Stop, Crash, SendFaults, BlockTopic, TooLarge, CommitFaults,
            TransactionFaults {
        long at();
    }

    /** Every call fails from {@code at} until {@code until}. */
    record DependencyDown(long at, long until) implements Fault {
    }

    /** Partitions are revoked (or lost) at {@code at} and assigned again {@code backAfter} later. */
    record Rebalance(long at, boolean lost, List<Integer> partitions, long backAfter) implements Fault {
    }

    /** A graceful stop (SIGTERM) at {@code at}; a new process starts {@code restartAfter} after it ended. */
    record Stop(long at, long restartAfter) implements Fault {
    }

    /** The process dies at {@code at} (SIGKILL); a new one starts {@code restartAfter} later. */
    record Crash(long at, long restartAfter) implements Fault {
    }

    record SendFaults(long at, long until, double failure, double deliveryTimeout, double thrown) implements Fault {
    }

    /** Sends to the topic of {@code stage} block for max.block.ms (no metadata) during the window. */
    record BlockTopic(long at, long until, int stage) implements Fault {
    }

    /** Forwards are refused as too large at {@code rate} (the stage stops; an operator fixes it; it restarts). */
    record TooLarge(long at, long until, double rate) implements Fault {
    }

    record CommitFaults(long at, long until, double async, double sync) implements Fault {
    }

    /** Transaction commits fail at {@code rate}: with {@code kinds} (SimFaults.Commit names, comma-separated) or, empty, any. */
    record TransactionFaults(long at, long until, double rate, boolean fence, double abortTimeout, String kinds) implements Fault {
    }

    /** The same schedule without {@code input}. */
    Schedule without(Input input) {
        List<Input> fewer = new ArrayList<>(inputs);
        fewer.remove(input);
        return new Schedule(seed, config, fewer, faults, faultsEndAt, livenessMillis);
    }

    /** The same schedule without {@code fault}. */
    Schedule without(Fault fault) {
        List<Fault> fewer = new ArrayList<>(faults);
        fewer.remove(fault);
        return new Schedule(seed, config, inputs, fewer, faultsEndAt, livenessMillis);
    }

    /** The schedule in a form to read. */
    String describe() {
        return "seed " + seed + ": " + config + "\n  " + inputs.size() + " record(s): "
                + inputs.stream().map(Input::toString).collect(Collectors.joining(" "))
                + "\n  faults until " + faultsEndAt + ": " + (faults.isEmpty() ? "none"
                : faults.stream().map(Fault::toString).collect(Collectors.joining(" ")));
    }
}
