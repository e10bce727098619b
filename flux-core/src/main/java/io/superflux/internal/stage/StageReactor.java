package io.superflux.internal.stage;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.CloseOptions.GroupMembershipOperation;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.LogTruncationException;
import org.apache.kafka.clients.consumer.NoOffsetForPartitionException;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.superflux.internal.stage.environment.StageEnvironment;
import io.superflux.internal.stage.environment.StageSettings;
import io.superflux.internal.stage.environment.StageTime;
import io.superflux.internal.stage.forward.ForwardRefusedException;
import io.superflux.internal.stage.forward.Forwarder;
import io.superflux.internal.stage.ops.StageMeters;
import io.superflux.internal.stage.ops.StageStatus;
import io.superflux.internal.stage.order.OrderClients;
import io.superflux.internal.stage.position.PauseControl;
import io.superflux.retry.Stage;
import io.superflux.task.Task;

/**
 * Runs one stage of a task on one thread that owns its {@link Consumer}: the loop between the
 * stage's parts ({@link StageParts}) — poll, hand the records to the dispatch, carry out what came
 * back, commit — and nothing else. The loop never sleeps: each poll waits at most until the next
 * thing due (a hold's end, a resend, a probe, a commit, a lane's wait). Partitions move through
 * the {@link RebalanceHandler}. A stop ({@link #stop}) takes no record more, waits for the calls
 * and forwards under way within the shutdown timeout, interrupts what still runs (it is left
 * uncommitted), commits what is complete and closes the consumer.
 */
public final class StageReactor implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(StageReactor.class);
    private static final long MAX_POLL_WAIT_MS = 500;
    /** With nothing to commit and nothing in flight, the loop has no reason of its own to come round sooner. */
    private static final long IDLE_POLL_WAIT_MS = 5_000;
    /** Lanes and forwards report through queues: with any out, the loop looks at them this often. */
    private static final long BUSY_POLL_WAIT_MS = 5;
    private static final long FIGURES_INTERVAL_MS = 1_000;
    /** Before the first assignment, and while an assigned partition has no figure yet (no fetch answered), sooner. */
    private static final long INCOMPLETE_FIGURES_INTERVAL_MS = 100;
    private static final long INTERRUPT_GRACE_MS = 1_000;
    private static final long FINAL_COMMIT_TIMEOUT_MS = 10_000;
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

    private final StageParts parts;
    private final StageTime time;
    private final RebalanceHandler rebalance;
    private final Settling settling;
    private long nextFiguresAt;
    private boolean closing;
    private volatile boolean stopping;
    private volatile long stopDeadlineNanos;
    private volatile Throwable failure;
    private volatile java.util.function.Consumer<Throwable> failureListener = error -> { };

    /** A stage of {@code task} reading with {@code consumer} and forwarding with {@code forwarder}. */
    public <V> StageReactor(Task<V> task, Stage stage, Consumer<byte[], byte[]> consumer, Forwarder forwarder,
                            Map<String, Integer> partitionCounts, StageEnvironment environment, StageSettings settings,
                            StageMeters meters) {
        this(task, stage, consumer, forwarder, partitionCounts, environment, settings, meters, null);
    }

    /** The same, for the main stage of a task with ordered retries: {@code orderClients} read and write its order topic. */
    public <V> StageReactor(Task<V> task, Stage stage, Consumer<byte[], byte[]> consumer, Forwarder forwarder,
                            Map<String, Integer> partitionCounts, StageEnvironment environment, StageSettings settings,
                            StageMeters meters, OrderClients orderClients) {
        this.parts = StageParts.of(task, stage, consumer, forwarder, partitionCounts, environment, settings, meters,
                () -> stopping || failure != null, orderClients);
        this.time = environment.time();
        this.settling = new Settling(parts, this::fail);
        this.rebalance = new RebalanceHandler(parts, settling, () -> closing, this::fail);
        meters.inFlight(parts.dispatch()::inFlight);
        meters.outage(() -> parts.gate() != null && parts.gate().isOpen() ? 1 : 0);
    }

    /** The stage it runs. */
    public Stage stage() {
        return parts.stage();
    }

    /** What the stage is doing (for the health endpoint). */
    public StageStatus status() {
        return parts.status();
    }

    /** Asks the stage to stop (any thread): it takes no more records, finishes those in hand within the shutdown timeout, commits, closes. */
    public void stop() {
        if (!stopping) {
            stopDeadlineNanos = time.nanos() + parts.settings().shutdownTimeout().toNanos();
            stopping = true;
            parts.status().stopping();
        }
        parts.consumer().wakeup();
    }

    /** The stop outlasted its timeout (any thread): interrupts the calls still running; they are left uncommitted. */
    public void interruptCalls() {
        parts.dispatch().interruptCalls();
    }

    /** Tells {@code listener} (from the stage thread) the moment the stage fails, before it winds down. */
    public void onFailure(java.util.function.Consumer<Throwable> listener) {
        this.failureListener = listener;
    }

    /** The error that stopped the stage, or null. */
    public Throwable failure() {
        return failure;
    }

    /** What the parts still keep, by name: after a stop every count is zero, else some state outlived its records. */
    public Map<String, Integer> leftovers() {
        Map<String, Integer> left = new LinkedHashMap<>();
        left.put("partition progress", parts.progress().size());
        left.put("holds", parts.pauses().size());
        left.put("partitions the task holds", parts.hooks().held().size());
        left.putAll(parts.forwards().leftovers());
        left.putAll(parts.dispatch().leftovers());
        if (parts.order() != null) {
            left.putAll(parts.order().leftovers());
        }
        return left;
    }

    @Override
    public void run() {
        try {
            parts.consumer().subscribe(List.of(parts.stage().topic()), rebalance);
            while (!stopping && failure == null) {
                housekeeping();
                ConsumerRecords<byte[], byte[]> records = poll(pollWait());
                parts.status().polled(time.millis());
                if (!records.isEmpty()) {
                    parts.dispatch().dispatch(records);
                } else {
                    parts.rest().nothingFetched(time.millis(), parts.pauses()::caughtUp);
                }
            }
        } catch (WakeupException | InterruptException e) {
            if (!stopping) {
                fail(e);
            }
        } catch (Throwable e) {
            fail(e);
        } finally {
            finish();
        }
    }

    /** Carries out what came back, resends, probes, ends the holds that are over, sets the pauses, commits. */
    private void housekeeping() {
        parts.dispatch().collect();
        parts.forwards().drain(parts.progress());
        parts.commits().onLoop();
        parts.dispatch().callDue();
        if (parts.order() != null) {
            parts.order().onLoop();
        }
        parts.forwards().resendDue();
        parts.dispatch().probe();
        long now = time.millis();
        if (!parts.pauses().releaseDue().isEmpty()) {
            parts.rest().wake(now); // fetch the released partitions now, nothing in flight ahead of them
        }
        parts.pauses().reconcile(wanted(now));
        if (now >= nextFiguresAt) {
            StageStatus.Figures figures = parts.figures().compute(parts.progress().all(), parts.pauses());
            parts.meters().figures(figures);
            int assigned = parts.consumer().assignment().size();
            boolean complete = assigned > 0 && figures.lagByPartition().size() >= assigned;
            nextFiguresAt = now + (complete ? FIGURES_INTERVAL_MS : INCOMPLETE_FIGURES_INTERVAL_MS);
        }
    }

    /** What must not fetch now besides the holds: everything while overloaded, resting or paused for an outage. */
    private PauseControl.Wanted wanted(long now) {
        boolean busy = parts.forwards().overloaded() || parts.dispatch().full();
        boolean resting = parts.rest().resting(now);
        boolean outage = parts.gate() != null && parts.gate().isOpen();
        Set<TopicPartition> failing = parts.forwards().failingPartitions();
        Set<TopicPartition> backlogged = parts.dispatch().backlogged();
        if (!busy && !resting && !outage && failing.isEmpty() && backlogged.isEmpty()) {
            return PauseControl.Wanted.NOTHING_MORE;
        }
        List<TopicPartition> more = new ArrayList<>(failing);
        more.addAll(backlogged);
        TopicPartition probe = outage && !busy && !resting ? parts.gate().probePartition() : null;
        return new PauseControl.Wanted(busy || resting || outage, probe, more);
    }

    private long pollWait() {
        long wait;
        if (parts.dispatch().busy() || parts.forwards().sent() > 0) {
            wait = BUSY_POLL_WAIT_MS;
        } else if (parts.progress().anyCommitDue()) {
            wait = MAX_POLL_WAIT_MS;
        } else {
            wait = Math.min(IDLE_POLL_WAIT_MS, parts.status().limitMillis() / 4);
        }
        wait = parts.commits().millisUntilNextCommit(wait);
        if (parts.gate() != null && parts.gate().isOpen()) {
            wait = Math.min(wait, Math.max(0, parts.gate().nextProbeAt() - time.millis()));
        }
        wait = parts.pauses().millisUntilNextRelease(wait);
        wait = parts.forwards().millisUntilNextResend(wait);
        wait = parts.dispatch().millisUntilNextWake(wait);
        if (parts.order() != null) {
            wait = parts.order().millisUntilNextWake(wait);
        }
        return parts.rest().millisUntilWake(time.millis(), wait);
    }

    private ConsumerRecords<byte[], byte[]> poll(long waitMillis) {
        try {
            return parts.consumer().poll(Duration.ofMillis(waitMillis));
        } catch (NoOffsetForPartitionException e) {
            parts.resets().noCommittedOffset(e.partitions());
            positionsReset(e.partitions());
        } catch (LogTruncationException e) {
            parts.resets().truncated(e);
            positionsReset(e.divergentOffsets().keySet());
        } catch (OffsetOutOfRangeException e) {
            parts.resets().outOfRange(e.offsetOutOfRangePartitions());
            positionsReset(e.offsetOutOfRangePartitions().keySet());
        }
        return ConsumerRecords.empty();
    }

    /** Tells the dispatch where the reset partitions read next (0 while a reset is still to be resolved: everything again). */
    private void positionsReset(Collection<TopicPartition> partitions) {
        Map<TopicPartition, Long> positions = new HashMap<>();
        for (TopicPartition partition : partitions) {
            long position;
            try {
                position = parts.consumer().position(partition, Duration.ZERO);
            } catch (RuntimeException e) {
                position = 0;
            }
            positions.put(partition, position);
        }
        parts.dispatch().positionsReset(positions);
    }

    private void fail(Throwable error) {
        if (failure == null) {
            failure = error instanceof ForwardRefusedException || error instanceof StageFailedException ? error
                    : new StageFailedException(parts.stage().toString(), parts.taskName(), error,
                    parts.settings().groupInstanceId());
            if (StageFailedException.isOperatorsToFix(error)) {
                log.error("{}", failure.getMessage());
            } else if (error instanceof StageFailedException) {
                log.error("{}", error.getMessage(), error.getCause());
            } else {
                log.error("{} of {} stopped by an unexpected error", parts.stage(), parts.taskName(), error);
            }
            failureListener.accept(failure);
        }
    }

    /** Lets the records in hand finish (within the shutdown timeout), commits what is complete and closes the consumer. */
    private void finish() {
        Thread.interrupted(); // a stop's interrupt that reached this thread must not prevent the final commit
        List<TopicPartition> assigned = new ArrayList<>(parts.progress().partitions());
        try {
            parts.dispatch().stop();
            long deadline = stopping ? stopDeadlineNanos : time.nanos() + parts.settings().shutdownTimeout().toNanos();
            if (!settling.settle(null, deadline)) {
                interruptCalls(); // what still runs is interrupted, and left uncommitted
                if (!settling.settle(null, time.nanos() + INTERRUPT_GRACE_MS * 1_000_000)) {
                    log.warn("{}: {} record(s) still running or being forwarded after {}; they are not committed and"
                            + " will be read again", parts.stage(), parts.dispatch().runningTotal() + parts.forwards().sent(),
                            parts.settings().shutdownTimeout());
                }
            }
        } catch (Throwable e) {
            fail(e);
        }
        Thread.interrupted();
        try {
            rebalance.giveBack(parts.hooks().held());
        } catch (RuntimeException e) {
            fail(e); // e.g. exactly-once's abort found the producer fenced: the final commit below fails alike
        }
        parts.commits().commitNow(assigned, FINAL_COMMIT_TIMEOUT_MS);
        parts.dispatch().close(1_000);
        parts.dispatch().collect(); // what ended while the lanes stopped
        if (parts.order() != null) {
            parts.order().forget(assigned); // what it holds is in the order topic: the next owner reads it back
            parts.order().close();
        }
        Thread.interrupted();
        closing = true;
        try {
            // A static member leaves only when told to; a stage that failed may no longer be a member at all.
            parts.consumer().close(CloseOptions.timeout(CLOSE_TIMEOUT).withGroupMembershipOperation(
                    parts.settings().leaveGroupOnClose() && failure == null ? GroupMembershipOperation.LEAVE_GROUP
                            : GroupMembershipOperation.DEFAULT));
        } catch (RuntimeException e) {
            log.warn("{}: closing the consumer failed: {}", parts.stage(), e.toString());
        }
        parts.status().ended(failure);
        parts.meters().close();
        log.info("{} of {} stopped", parts.stage(), parts.taskName());
    }
}
