package io.superflux.internal.task;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.random.RandomGenerator;

import org.apache.kafka.clients.consumer.CloseOptions.GroupMembershipOperation;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.NoOffsetForPartitionException;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.superflux.retry.Stage;
import io.superflux.retry.StagePlan;
import io.superflux.task.Task;
import io.superflux.task.TaskSpec;

/**
 * Runs one stage of a task on one thread that owns one {@link Consumer}: poll, dispatch, carry
 * out each record's outcome, commit.
 *
 * <ul>
 * <li>Each record runs through the {@link RecordRunner}, on this thread in offset order, or with
 *     a task concurrency K &gt; 1 on the lanes of a {@link LaneDispatcher}; either way its
 *     {@link RecordOutcome} is carried out here, by {@link #apply}: handled, forwarded through the
 *     {@link ForwardTracker}, the dead-letter hook retried, left uncommitted, or the stage stopped.</li>
 * <li>Retry stages never handle a record before its due time ({@link DueTimes}): the partition is
 *     held by the {@link DueTimeThrottle} (paused, the position set back to the record) while the
 *     other partitions keep flowing. The poll loop never sleeps; its wait ends at the next release.</li>
 * <li>At-least-once: per partition the committed offset is the first record not complete
 *     ({@link PartitionProgress}), committed by the {@link OffsetCommitter}: asynchronously on an
 *     interval, synchronously on revocation and at stop. A position outside the log is never
 *     skipped silently ({@link OffsetResets}).</li>
 * <li>A revocation waits for the revoked partitions' calls under way at most
 *     {@link StageSettings#revocationBudget()}; a stop waits {@link StageSettings#shutdownTimeout()}
 *     for the calls under way, then interrupts those still running, which are left uncommitted, and
 *     commits the rest. Records queued on lanes and not started are left for the next reader.</li>
 * </ul>
 */
final class StageReactor<V> implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(StageReactor.class);
    private static final long MAX_POLL_WAIT_MS = 500;
    /** With nothing to commit and nothing in flight, the loop has no reason of its own to come round sooner. */
    private static final long IDLE_POLL_WAIT_MS = 5_000;
    private static final long INTERRUPT_GRACE_NANOS = 1_000_000_000L;
    /** How long a record read while paused for an outage is held: until the outage ends (the holds are dropped then). */
    private static final long OUTAGE_HOLD_MS = 24 * 3_600_000L;
    private static final Duration FINAL_COMMIT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);
    /** A revocation during close: the final commit was just made, this is at most a second try. */
    private static final Duration COMMIT_WHILE_CLOSING = Duration.ofSeconds(5);

    private final String taskName;
    private final TaskSpec<V> spec;
    private final StagePlan plan;
    private final Stage stage;
    private final Consumer<byte[], byte[]> consumer;
    private final Map<String, Integer> partitionCounts;
    private final StageTime clock;
    private final RandomGenerator random;
    private final StageSettings settings;
    private final StageMeters meters;

    private final RecordRunner<V> runner;
    private final LaneDispatcher lanes;
    private final DueTimes dueTimes;
    private final DueTimeThrottle throttle;
    private final ForwardTracker forwards;
    private final OffsetCommitter commits;
    private final OffsetResets resets;
    private final StageStatus status;
    private final StageFigures figures;
    private final FetchRest rest;
    private final Map<TopicPartition, PartitionProgress> progress = new HashMap<>();
    private final RecordTries tries = new RecordTries();
    /** Exactly-once (a stage that forwards): commits go through {@link #forwarder}'s transactions. */
    private final boolean exactlyOnce;
    private final Forwarder forwarder;
    /** Exactly-once: how long to hold every partition after an abort (grows while aborts repeat). */
    private long abortBackoffMs;
    /** Exactly-once: an abort set every partition back; the records of the poll in hand are stale. */
    private boolean rewound;
    /** Null unless the task declared outage protection (never in the dead-letter stage). */
    private final OutageBreaker breaker;
    /** Lane outcomes that failed while the stage was paused for an outage: called again when it resumes. */
    private final List<LaneDispatcher.Finished> parked = new ArrayList<>();
    private TopicPartition probePartition;
    private long probeOffset = -1;
    private boolean anyPaused;
    private long nextCommitAt;
    private boolean closing;

    private volatile boolean stopping;
    private volatile long stopDeadlineNanos;
    private volatile Throwable failure;
    private volatile java.util.function.Consumer<Throwable> failureListener = error -> { };

    StageReactor(Task<V> task, Stage stage, Consumer<byte[], byte[]> consumer, Forwarder forwarder,
                 Map<String, Integer> partitionCounts, StageTime clock, RandomGenerator random, StageSettings settings,
                 StageMeters meters, LanePools lanePools) {
        this.taskName = task.getClass().getSimpleName();
        this.spec = task.spec();
        this.plan = spec.plan();
        this.stage = stage;
        this.consumer = consumer;
        this.partitionCounts = partitionCounts;
        this.clock = clock;
        this.random = random;
        this.settings = settings;
        this.meters = meters;
        int concurrency = stage.kind() == Stage.Kind.DEAD_LETTER ? 1 : spec.concurrency();
        this.status = meters.status();
        this.runner = new RecordRunner<>(task, stage, concurrency == 1, status, settings.timeScale(), clock);
        this.lanes = concurrency > 1 ? new LaneDispatcher(lanePools.create(concurrency, "flux-" + stage.group()), runner, concurrency) : null;
        this.dueTimes = new DueTimes(stage, spec.backoff(), settings.timeScale());
        this.throttle = new DueTimeThrottle(clock);
        this.forwards = new ForwardTracker(forwarder, clock, stage, meters);
        this.forwarder = forwarder;
        this.exactlyOnce = settings.exactlyOnce() && forwarder.transactional();
        this.commits = new OffsetCommitter(consumer, stage);
        this.resets = new OffsetResets(consumer, stage, settings.mainStageReset(), meters, clock);
        this.figures = new StageFigures(consumer, clock);
        this.rest = new FetchRest(stage, spec.backoff(), settings.timeScale());
        meters.inFlight(() -> lanes == null ? 0 : lanes.inFlight());
        this.breaker = stage.kind() == Stage.Kind.DEAD_LETTER ? null
                : spec.outageProtection().map(OutageBreaker::new).orElse(null);
        OutageBreaker outage = breaker;
        meters.outage(() -> outage != null && outage.isOpen() ? 1 : 0);
    }

    Stage stage() {
        return stage;
    }

    /** What the stage is doing (for the health endpoint). */
    StageStatus status() {
        return status;
    }

    /** Asks the reactor to stop: it finishes the records in hand (within the shutdown timeout), commits and closes its consumer. */
    void stop() {
        if (!stopping) {
            stopDeadlineNanos = clock.nanos() + settings.shutdownTimeout().toNanos();
            stopping = true;
            status.stopping();
            if (lanes != null) {
                lanes.stop(); // queued records are not started; the calls under way finish
                runner.stopRetries(); // and none is tried again in place
            }
        }
        consumer.wakeup();
    }

    /** The stop outlasted its timeout: interrupts the calls still running; they are left uncommitted. */
    void interruptCalls() {
        if (lanes != null) {
            lanes.interruptRunning();
        } else {
            runner.interruptCalls();
        }
    }

    /** Tells {@code listener} (from this reactor's thread) the moment the stage fails, before it winds down. */
    void onFailure(java.util.function.Consumer<Throwable> listener) {
        this.failureListener = listener;
    }

    /**
     * What the stage still keeps, by name: after a stop every count must be zero (the simulation
     * checks it), else some state outlived the records it was for.
     */
    Map<String, Integer> leftovers() {
        Map<String, Integer> left = new java.util.LinkedHashMap<>();
        left.put("partition progress", progress.size());
        left.put("held partitions", throttle.held().size());
        left.put("record tries", tries.size());
        left.put("parked records", parked.size());
        left.put("forwards in flight", forwards.inFlight());
        left.putAll(forwards.leftovers());
        left.put("records on lanes", lanes == null ? 0 : lanes.inFlight());
        return left;
    }

    /** The error that stopped the reactor, or null. */
    Throwable failure() {
        return failure;
    }

    @Override
    public void run() {
        try {
            consumer.subscribe(List.of(stage.topic()), new Rebalance());
            nextCommitAt = clock.millis() + settings.commitInterval().toMillis();
            while (!stopping && failure == null) {
                housekeeping();
                ConsumerRecords<byte[], byte[]> records = poll(pollWait());
                status.polled(clock.millis());
                if (!records.isEmpty()) {
                    dispatch(records);
                } else {
                    rest.nothingFetched(clock.millis(), this::caughtUp);
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

    /**
     * Whether the broker's last fetch answers say no assigned partition has records left, apart
     * from those the throttle holds (they wait for a due time, and their release wakes the stage).
     */
    private boolean caughtUp() {
        Set<TopicPartition> assignment = consumer.assignment();
        if (assignment.isEmpty()) {
            return false;
        }
        for (TopicPartition partition : assignment) {
            if (!throttle.isHeld(partition)) {
                OptionalLong lag = consumer.currentLag(partition);
                if (lag.isEmpty() || lag.getAsLong() > 0) {
                    return false;
                }
            }
        }
        return true;
    }

    private void fail(Throwable error) {
        if (failure == null) {
            failure = error instanceof ForwardRefusedException ? error
                    : new StageFailedException(stage.toString(), taskName, error, settings.groupInstanceId());
            if (StageFailedException.isOperatorsToFix(error)) {
                log.error("{}", failure.getMessage());
            } else {
                log.error("{} of {} stopped by an unexpected error", stage, taskName, error);
            }
            failureListener.accept(failure);
        }
    }

    private ConsumerRecords<byte[], byte[]> poll(long waitMillis) {
        try {
            return consumer.poll(Duration.ofMillis(waitMillis));
        } catch (NoOffsetForPartitionException e) {
            resets.noCommittedOffset(e.partitions());
        } catch (OffsetOutOfRangeException e) {
            resets.outOfRange(e.offsetOutOfRangePartitions());
        }
        return ConsumerRecords.empty();
    }

    private void housekeeping() {
        if (lanes != null) {
            lanes.drain(this::applyFinished);
        }
        forwards.drain(progress);
        if (exactlyOnce && forwards.abortNeeded()) {
            abortAndRewind();
        }
        forwards.resendDue();
        probeWithParked();
        if (!throttle.releaseDue().isEmpty()) {
            rest.wake(clock.millis()); // fetch the released partitions now, nothing in flight ahead of them
        }
        reconcilePauses();
        long now = clock.millis();
        if (now >= nextCommitAt) {
            if (exactlyOnce) {
                commitTransaction();
            } else {
                commits.commitAsync(progress);
            }
            nextCommitAt = now + settings.commitInterval().toMillis();
            meters.figures(figures.compute(progress, throttle));
        }
    }

    private long pollWait() {
        long now = clock.millis();
        long untilCommit = Math.max(0, nextCommitAt - now);
        long wait;
        if ((lanes != null && lanes.inFlight() > 0) || forwards.inFlight() > 0) {
            wait = Math.min(5, untilCommit); // lanes and forwards report through queues: look at them often
        } else if (anyCommitDue()) {
            wait = Math.min(MAX_POLL_WAIT_MS, untilCommit);
        } else {
            wait = Math.min(IDLE_POLL_WAIT_MS, status.limitMillis() / 4); // idle: nothing of its own to come round for
        }
        if (breaker != null && !parked.isEmpty()) {
            wait = Math.min(wait, Math.max(0, breaker.nextProbeAt() - now)); // a parked record probes then
        }
        wait = throttle.millisUntilNextRelease(wait);
        wait = forwards.millisUntilNextResend(wait);
        return rest.millisUntilWake(now, wait);
    }

    /** Whether a partition has an offset to commit, sent or not yet confirmed (an idle stage has none). */
    private boolean anyCommitDue() {
        for (PartitionProgress partitionProgress : progress.values()) {
            if (partitionProgress.needsConfirmedCommit()) {
                return true;
            }
        }
        return false;
    }

    private void dispatch(ConsumerRecords<byte[], byte[]> records) {
        try {
            dispatchInOrder(records);
        } finally {
            runner.batchDone();
        }
    }

    private void dispatchInOrder(ConsumerRecords<byte[], byte[]> records) {
        rewound = false;
        for (TopicPartition partition : records.partitions()) {
            PartitionProgress partitionProgress = progress.get(partition);
            if (partitionProgress == null || throttle.isHeld(partition)) {
                continue; // revoked meanwhile, or fetched before it was held: read again later
            }
            for (ConsumerRecord<byte[], byte[]> record : records.records(partition)) {
                if (!offer(partition, partitionProgress, record) || stopping || failure != null || rewound) {
                    break;
                }
                if (exactlyOnce && clock.millis() >= nextCommitAt) {
                    // A long batch must not keep its transaction open: commit between two records.
                    commitTransaction();
                    nextCommitAt = clock.millis() + settings.commitInterval().toMillis();
                }
            }
            if (stopping || failure != null || rewound) {
                return; // undispatched records stay uncommitted and are read again (after a restart, or a rewind)
            }
        }
    }

    /** Takes one record; false when its partition must not go on now (held, or left for later). */
    private boolean offer(TopicPartition partition, PartitionProgress partitionProgress, ConsumerRecord<byte[], byte[]> record) {
        if (stage.kind() != Stage.Kind.MAIN) {
            long due = dueTimes.of(record);
            if (!throttle.isDue(due)) {
                hold(partition, record.offset(), due);
                return false;
            }
            partitionProgress.startingDue(due);
        } else {
            partitionProgress.startingDue(record.timestamp());
        }
        if (breaker != null && breaker.isOpen() && !startProbe(partition, record)) {
            hold(partition, record.offset(), clock.millis() + OUTAGE_HOLD_MS); // released when the outage ends
            return false;
        }
        if (lanes != null) {
            lanes.submit(partition, partitionProgress, record);
            return true;
        }
        boolean goOn = apply(partition, partitionProgress, null, record, runner.run(record));
        endInconclusiveProbe(partition, record.offset());
        return goOn;
    }

    /** While paused for an outage: whether {@code record} may be called now, as the probe. */
    private boolean startProbe(TopicPartition partition, ConsumerRecord<byte[], byte[]> record) {
        if (!breaker.probeDue(clock.millis()) || !parked.isEmpty()) {
            return false; // not yet, or a parked record probes first
        }
        beginProbe(partition, record);
        return true;
    }

    private void beginProbe(TopicPartition partition, ConsumerRecord<byte[], byte[]> record) {
        breaker.probeStarted();
        probePartition = partition;
        probeOffset = record.offset();
        log.info("{} of {}: probing with {}-{}@{} (outage since {} s, {} probe(s) failed)", stage, taskName, record.topic(),
                record.partition(), record.offset(), (clock.millis() - breaker.openedAt()) / 1000, breaker.probesFailed());
    }

    private boolean isProbe(TopicPartition partition, long offset) {
        return breaker.probeUnderWay() && partition.equals(probePartition) && offset == probeOffset;
    }

    /** The probe's outcome was neither a success nor a failed call (a bad value, a declared exception): another record probes. */
    private void endInconclusiveProbe(TopicPartition partition, long offset) {
        if (breaker != null && isProbe(partition, offset)) {
            breaker.probeInconclusive(clock.millis());
        }
    }

    /** Lanes: the first parked record probes once it is time. */
    private void probeWithParked() {
        if (breaker == null || parked.isEmpty() || !breaker.probeDue(clock.millis())) {
            return;
        }
        LaneDispatcher.Finished probe = parked.remove(0);
        beginProbe(probe.partition(), probe.record());
        lanes.resubmit(probe);
    }

    /** A call failed: whether the stage is paused for an outage, so the record must wait instead of being forwarded. */
    private boolean outage(TopicPartition partition, ConsumerRecord<byte[], byte[]> record, Throwable error) {
        if (breaker == null) {
            return false;
        }
        boolean wasOpen = breaker.isOpen();
        boolean probe = isProbe(partition, record.offset());
        boolean open = breaker.failed(clock.millis(), probe);
        if (open && !wasOpen) {
            log.warn("{} of {}: {}% of the last {} calls failed (outage protection: {}% of at least {} within {} s);"
                            + " pausing: nothing is taken, forwarded or committed past {}-{}@{}; first probe in {} ms. Last failure: {}",
                    stage, taskName, Math.round(breaker.trippingRate() * 100), breaker.trippingCalls(),
                    Math.round(spec.outageProtection().orElseThrow().failureRate() * 100),
                    spec.outageProtection().orElseThrow().minimumCalls(),
                    spec.outageProtection().orElseThrow().window().toSeconds(), record.topic(), record.partition(),
                    record.offset(), breaker.nextProbeAt() - clock.millis(), SafeText.describe(error));
        } else if (probe) {
            log.warn("{} of {}: the probe failed ({}); next probe in {} ms", stage, taskName, SafeText.describe(error),
                    breaker.nextProbeAt() - clock.millis());
        }
        return open;
    }

    /** A call succeeded: if it was the probe, the outage is over and everything held for it goes on. */
    private void succeeded(TopicPartition partition, long offset) {
        if (breaker == null || !breaker.succeeded(clock.millis(), isProbe(partition, offset))) {
            return;
        }
        log.info("{} of {}: the probe succeeded; resuming after an outage of {} s", stage, taskName,
                (clock.millis() - breaker.openedAt()) / 1000);
        throttle.drop(new ArrayList<>(throttle.held())); // read again: a retry stage holds what is not due yet anew
        anyPaused = true;
        rest.wake(clock.millis());
        for (LaneDispatcher.Finished waiting : parked) {
            lanes.resubmit(waiting);
        }
        parked.clear();
    }

    private void applyFinished(LaneDispatcher.Finished finished) {
        if (progress.get(finished.partition()) == finished.progress()) { // else revoked meanwhile: the next owner reads it again
            apply(finished.partition(), finished.progress(), finished.pending(), finished.record(), finished.outcome());
            endInconclusiveProbe(finished.partition(), finished.record().offset());
        }
    }

    /**
     * Carries out what became of a record: {@code pending} is its entry if it was started earlier
     * (a lane), null if it ran just now on this thread. Returns false when its partition must not
     * go on now.
     */
    private boolean apply(TopicPartition partition, PartitionProgress partitionProgress, PartitionProgress.Pending pending,
                          ConsumerRecord<byte[], byte[]> record, RecordOutcome outcome) {
        switch (outcome.kind()) {
            case HANDLED -> {
                if (pending == null) {
                    partitionProgress.handled(record.offset());
                } else {
                    partitionProgress.complete(pending);
                }
                if (pending == null) {
                    tries.done(partition, record.offset());
                } else {
                    countLaneAttempts(outcome.earlier());
                }
                succeeded(partition, record.offset());
                if (stage.kind() == Stage.Kind.DEAD_LETTER) {
                    meters.deadLettered();
                } else {
                    meters.handled();
                }
                return true;
            }
            case FORWARD -> {
                if (outcome.poisonPill()) {
                    meters.poisonPill();
                } else {
                    meters.failed();
                }
                if (outcome.retriableInPlace() && outage(partition, record, outcome.error())) {
                    if (pending == null) {
                        hold(partition, record.offset(), breaker.nextProbeAt()); // the probe, when its time comes
                        return false;
                    }
                    countLaneAttempts(outcome.earlier());
                    parked.add(new LaneDispatcher.Finished(partition, partitionProgress, pending, record, outcome));
                    return true;
                }
                if (pending == null && outcome.retriableInPlace()) {
                    RecordTries.Tries recordTries = tries.of(partition, record.offset());
                    if (recordTries.inPlaceAttempts() < runner.inPlaceAttempts()) {
                        recordTries.failedInPlace(clock.millis(), outcome.error());
                        meters.retriedInPlace(1);
                        hold(partition, record.offset(), clock.millis() + runner.inPlaceWaitMillis());
                        return false; // called again when the wait is over; the partition's later records wait
                    }
                }
                List<RecordOutcome.FailedAttempt> earlier;
                if (pending == null) {
                    earlier = tries.done(partition, record.offset());
                } else {
                    earlier = outcome.earlier();
                    countLaneAttempts(earlier);
                }
                forward(partition, partitionProgress, pending != null ? pending : partitionProgress.started(record.offset()),
                        record, outcome.targetStage(), outcome.error(), earlier);
                return true;
            }
            case RETRY_HOOK -> {
                retryLater(partition, record, outcome.error(), "dead-letter hook");
                return false;
            }
            case RETRY_DESERIALIZER -> {
                retryLater(partition, record, outcome.error(), "deserializer");
                return false;
            }
            case LEAVE_UNCOMMITTED -> {
                if (pending != null) {
                    partitionProgress.giveUp(pending); // nothing past it is committed, and nothing waits for it
                }
                return false;
            }
            case STOP_STAGE -> throw (VirtualMachineError) outcome.error();
            default -> throw new IllegalStateException("unknown outcome " + outcome);
        }
    }

    /** Failed calls a lane retried in place before this outcome: each was a failure, and a retry in place. */
    private void countLaneAttempts(List<RecordOutcome.FailedAttempt> earlier) {
        if (!earlier.isEmpty()) {
            meters.failed(earlier.size());
            meters.retriedInPlace(earlier.size());
        }
    }

    /** Holds the partition and tries the record again later: {@code what} failed, and the record must not be dropped. */
    private void retryLater(TopicPartition partition, ConsumerRecord<byte[], byte[]> record, Throwable error, String what) {
        int attempt = tries.of(partition, record.offset()).triedLater();
        long delay = RetryLater.delayMillis(attempt, settings.timeScale());
        log.error("The {} of {} failed for {}-{}@{} (attempt {}): {}; trying again in {} ms; the record is kept",
                what, taskName, record.topic(), record.partition(), record.offset(), attempt, SafeText.describe(error), delay);
        hold(partition, record.offset(), clock.millis() + delay);
    }

    /** Forwards a record whose completion {@code pending} stands for; it completes when the forward is acknowledged. */
    private void forward(TopicPartition partition, PartitionProgress partitionProgress, PartitionProgress.Pending pending,
                         ConsumerRecord<byte[], byte[]> record, int target, Throwable error,
                         List<RecordOutcome.FailedAttempt> earlier) {
        long now = clock.millis();
        Stage next = plan.stage(target);
        long due = next.kind() == Stage.Kind.RETRY
                ? now + Math.round(spec.backoff().delayBefore(target, random).toMillis() * settings.timeScale())
                : now;
        Integer samePartition = record.partition() < partitionCounts.getOrDefault(next.topic(), 0) ? record.partition() : null;
        ProducerRecord<byte[], byte[]> forwarded = new ProducerRecord<>(next.topic(), samePartition, null,
                record.key(), record.value(), RetryHeaders.forward(record, stage.number(), target, now, due, error, earlier));
        if (log.isDebugEnabled()) {
            log.debug("stage {}: {}-{}@{} failed ({}), forwarding to stage {}, due in {} ms", stage.number(), record.topic(),
                    record.partition(), record.offset(), SafeText.describe(error), target, due - now);
        }
        forwards.send(partition, partitionProgress, pending, forwarded);
    }

    private void hold(TopicPartition partition, long offset, long until) {
        consumer.seek(partition, offset);
        consumer.pause(List.of(partition));
        throttle.hold(partition, until);
        anyPaused = true;
    }

    /**
     * Pauses exactly the partitions that must wait: held by the throttle, failing a forward,
     * with too many records not yet committable behind an unfinished one (lanes), or all of them
     * when too many records or forwards are in flight.
     */
    private void reconcilePauses() {
        boolean overloaded = forwards.overloaded() || (lanes != null && lanes.full())
                || (breaker != null && breaker.holding(clock.millis())); // paused for an outage, no probe due
        boolean backlogged = lanes != null && anyBacklog();
        boolean resting = rest.resting(clock.millis());
        if (!anyPaused && !overloaded && !backlogged && !resting && forwards.failingPartitions().isEmpty()
                && throttle.held().isEmpty()) {
            return; // the common case, on every loop: nothing to pause, nothing paused
        }
        Set<TopicPartition> assignment = consumer.assignment();
        Set<TopicPartition> wanted = new HashSet<>(overloaded || resting ? assignment : throttle.held());
        if (overloaded) {
            wanted.addAll(throttle.held());
        }
        wanted.addAll(forwards.failingPartitions());
        if (backlogged) {
            progress.forEach((partition, partitionProgress) -> {
                if (partitionProgress.uncommittable() >= lanes.maxInFlight()) {
                    wanted.add(partition);
                }
            });
        }
        wanted.retainAll(assignment);
        Set<TopicPartition> paused = consumer.paused();
        List<TopicPartition> resume = new ArrayList<>();
        for (TopicPartition partition : paused) {
            if (!wanted.contains(partition)) {
                resume.add(partition);
            }
        }
        List<TopicPartition> pause = new ArrayList<>();
        for (TopicPartition partition : wanted) {
            if (!paused.contains(partition)) {
                pause.add(partition);
            }
        }
        if (!resume.isEmpty()) {
            consumer.resume(resume);
        }
        if (!pause.isEmpty()) {
            consumer.pause(pause);
        }
        anyPaused = !wanted.isEmpty();
    }

    /**
     * Whether a partition's backlog reached the in-flight limit: one unfinished record holds back
     * the commit of everything after it, so that partition must stop fetching.
     */
    private boolean anyBacklog() {
        for (PartitionProgress partitionProgress : progress.values()) {
            if (partitionProgress.uncommittable() >= lanes.maxInFlight()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Waits until no record of {@code partitions} is in flight (on a lane, or being forwarded),
     * carrying out what finishes meanwhile; false if {@code deadlineNanos} came first.
     */
    private boolean settle(Collection<TopicPartition> partitions, long deadlineNanos) {
        while (true) {
            if (lanes != null) {
                lanes.drain(this::applyFinished);
            }
            forwards.drain(progress);
            forwards.resendDue();
            if (inFlight(partitions) == 0) {
                return true;
            }
            if (clock.nanos() >= deadlineNanos) {
                return false;
            }
            try {
                clock.sleep(1);
            } catch (InterruptedException e) {
                return false;
            }
        }
    }

    private int inFlight(Collection<TopicPartition> partitions) {
        int records = 0;
        for (TopicPartition partition : partitions) {
            PartitionProgress partitionProgress = progress.get(partition);
            records += partitionProgress == null ? 0 : partitionProgress.inFlight();
        }
        return records;
    }

    /** Lets the records in hand finish (within the shutdown timeout), commits what is complete and closes the consumer. */
    private void finish() {
        Thread.interrupted(); // a stop's interrupt that reached this thread must not prevent the final commit
        Set<TopicPartition> assigned = new HashSet<>(progress.keySet());
        try {
            long deadline = stopping ? stopDeadlineNanos : clock.nanos() + settings.shutdownTimeout().toNanos();
            if (!settle(assigned, deadline)) {
                interruptCalls(); // what still runs is interrupted, and left uncommitted
                if (!settle(assigned, clock.nanos() + INTERRUPT_GRACE_NANOS)) {
                    log.warn("{}: {} record(s) still running or being forwarded after {}; they are not committed and"
                            + " will be read again", stage, inFlight(assigned), settings.shutdownTimeout());
                }
            }
        } catch (Throwable e) {
            fail(e);
        }
        Thread.interrupted();
        commitSync(assigned, FINAL_COMMIT_TIMEOUT);
        if (lanes != null) {
            lanes.shutdown(Duration.ofSeconds(1));
        }
        Thread.interrupted();
        closing = true;
        try {
            // A static member leaves only when told to; a stage that failed may no longer be a member at all.
            consumer.close(CloseOptions.timeout(CLOSE_TIMEOUT).withGroupMembershipOperation(
                    settings.leaveGroupOnClose() && failure == null ? GroupMembershipOperation.LEAVE_GROUP : GroupMembershipOperation.DEFAULT));
        } catch (RuntimeException e) {
            log.warn("{}: closing the consumer failed: {}", stage, e.toString());
        }
        status.ended(failure);
        meters.close();
        log.info("{} of {} stopped", stage, taskName);
    }

    /** Commits {@code partitions} now: synchronously, or (exactly-once) by committing the open transaction. */
    private void commitSync(Collection<TopicPartition> partitions, Duration timeout) {
        if (!exactlyOnce) {
            commits.commitSync(progress, partitions, timeout);
            return;
        }
        try {
            commitTransaction();
        } catch (RuntimeException e) {
            log.warn("{}: the final transaction did not commit ({}); its records will be read again", stage, e.toString());
        }
    }

    /**
     * Exactly-once: waits for the open transaction's forwards, then commits them together with the
     * offsets of every record now complete. An abortable failure aborts and reads again from the
     * last commit; a fenced producer (another process took over) stops the stage.
     */
    private void commitTransaction() {
        try {
            forwarder.flush(); // every forward of the transaction acknowledged, or failed
        } catch (InterruptException e) {
            Thread.interrupted();
        }
        forwards.drain(progress);
        if (forwards.abortNeeded()) {
            abortAndRewind();
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        progress.forEach((partition, partitionProgress) -> {
            if (partitionProgress.needsConfirmedCommit()) {
                offsets.put(partition, new OffsetAndMetadata(partitionProgress.committable()));
            }
        });
        try {
            forwarder.commitTransaction(offsets, consumer.groupMetadata());
        } catch (ProducerFencedException | InvalidProducerEpochException | OutOfOrderSequenceException
                 | org.apache.kafka.common.errors.AuthorizationException | UnsupportedVersionException e) {
            throw e; // the producer cannot go on: the stage fails, the restart starts from the last commit
        } catch (KafkaException e) {
            log.warn("{}: committing the transaction failed ({}); aborting it and reading again from the last commit", stage,
                    e.toString());
            abortAndRewind();
            return;
        }
        offsets.forEach((partition, offset) -> {
            PartitionProgress partitionProgress = progress.get(partition);
            partitionProgress.commitSent(offset.offset());
            partitionProgress.commitConfirmed(offset.offset());
        });
        abortBackoffMs = 0;
    }

    /**
     * Exactly-once: aborts the open transaction — none of its forwards or offsets is ever visible —
     * and reads every partition again from its last commit (its calls run again: calls are
     * at-least-once). Holds every partition briefly, longer while aborts repeat.
     */
    private void abortAndRewind() {
        rewound = true;
        forwarder.abortTransaction();
        forwards.aborted();
        abortBackoffMs = Math.min(10_000, Math.max(100, abortBackoffMs * 2));
        long until = clock.millis() + abortBackoffMs;
        List<TopicPartition> partitions = new ArrayList<>(progress.keySet());
        throttle.drop(partitions);
        parked.clear();
        for (TopicPartition partition : partitions) {
            long from = progress.get(partition).rewindPoint();
            progress.put(partition, new PartitionProgress()); // outcomes still to come for the old one are dropped
            tries.forget(partition);
            if (from >= 0) {
                hold(partition, from, until);
            }
        }
        if (breaker != null && breaker.probeUnderWay()) {
            breaker.probeInconclusive(clock.millis());
        }
        log.warn("{}: transaction aborted; reading again from the last commit in {} ms", stage, abortBackoffMs);
    }

    private void forget(Collection<TopicPartition> partitions) {
        for (TopicPartition partition : partitions) {
            progress.remove(partition);
            tries.forget(partition);
            if (breaker != null && breaker.probeUnderWay() && partition.equals(probePartition)) {
                breaker.probeInconclusive(clock.millis()); // the next owner reads it again; another record probes
            }
        }
        parked.removeIf(waiting -> partitions.contains(waiting.partition()));
        throttle.drop(partitions);
        forwards.forget(partitions);
        status.revoked(progress.size());
    }

    /** Runs on this reactor's thread, inside poll (and inside close). */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            if (closing) { // leaving the group at the end of finish(): everything was settled and committed
                commitSync(partitions, COMMIT_WHILE_CLOSING);
                forget(partitions);
                return;
            }
            long deadline = clock.nanos() + settings.revocationBudget().toNanos();
            for (TopicPartition partition : partitions) {
                PartitionProgress partitionProgress = progress.get(partition);
                if (partitionProgress != null) {
                    partitionProgress.revoke(); // records queued on lanes are left for the next owner
                }
            }
            try {
                if (!settle(partitions, deadline)) {
                    log.warn("{}: {} record(s) of revoked partitions {} still in flight after {}: not committed, their next"
                            + " owner reads them again", stage, inFlight(partitions), numbers(partitions), settings.revocationBudget());
                }
            } catch (ForwardRefusedException e) {
                fail(e); // the loop ends after this poll; the rebalance itself goes on
            }
            commitSync(partitions, Duration.ofNanos(Math.max(0, deadline - clock.nanos())));
            forget(partitions);
            log.info("{}: partitions revoked: {}", stage, numbers(partitions));
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            forget(partitions);
            log.warn("{}: partitions lost (not committed): {}", stage, numbers(partitions));
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            for (TopicPartition partition : partitions) {
                progress.put(partition, new PartitionProgress());
            }
            status.assigned(progress.size());
            log.info("{}: assigned partitions {}", stage, numbers(consumer.assignment()));
        }

        private TreeSet<Integer> numbers(Collection<TopicPartition> partitions) {
            TreeSet<Integer> numbers = new TreeSet<>();
            partitions.forEach(tp -> numbers.add(tp.partition()));
            return numbers;
        }
    }
}
