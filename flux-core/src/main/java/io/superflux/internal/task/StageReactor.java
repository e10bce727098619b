package io.superflux.internal.task;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.random.RandomGenerator;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.superflux.retry.Stage;
import io.superflux.retry.StagePlan;
import io.superflux.task.Message;
import io.superflux.task.Task;
import io.superflux.task.TaskSpec;

/**
 * Runs one stage of a task on one thread that owns one {@link Consumer}: poll, dispatch, commit.
 *
 * <ul>
 * <li>Records are handled in offset order per partition, on this thread; or, with a task
 *     concurrency K &gt; 1, on K threads of a {@link KeyOrderedExecutor} (the same key in order, one
 *     at a time; different keys in parallel), their outcomes coming back on a queue this thread drains. Too many records in flight pause every partition.
 *     A failure forwards the record to the next stage (fatal errors and undeserialisable values to
 *     the dead letters) through the shared {@link Forwarder}; the outcome comes back on a queue
 *     this thread drains.</li>
 * <li>Retry stages never handle a record before its due time: the partition is held by the
 *     {@link DueTimeThrottle} (paused, and the position set back to the record) while the other
 *     partitions keep flowing. The poll loop never sleeps; its wait ends at the next release.</li>
 * <li>At-least-once: per partition the committed offset is the first record not complete
 *     ({@link PartitionProgress}). Commits are asynchronous on {@code commitInterval} and
 *     synchronous on revocation and at stop. A failed forward is retried with growing waits and
 *     holds its partition; nothing past it is committed.</li>
 * </ul>
 */
final class StageReactor<V> implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(StageReactor.class);
    private static final long MAX_POLL_WAIT_MS = 500;
    private static final long FIRST_HOOK_RETRY_MS = 1_000;
    private static final long MAX_HOOK_RETRY_MS = 60_000;

    /** What a lane did with one record: error is null on success. */
    private record LaneOutcome(TopicPartition source, PartitionProgress progress, PartitionProgress.Pending pending,
                               ConsumerRecord<byte[], byte[]> record, Throwable error, boolean poison) {
    }

    private final Task<V> task;
    private final TaskSpec<V> spec;
    private final StagePlan plan;
    private final Stage stage;
    private final Consumer<byte[], byte[]> consumer;
    private final Forwarder forwarder;
    private final Map<String, Integer> partitionCounts;
    private final Clock clock;
    private final RandomGenerator random;
    private final double timeScale;
    private final long commitIntervalMs;
    private final StageMeters meters;

    private final Duration shutdownTimeout;
    private final DueTimeThrottle throttle;
    private final KeyOrderedExecutor lanes;
    private final int maxInLanes;
    private final ConcurrentLinkedQueue<LaneOutcome> laneOutcomes = new ConcurrentLinkedQueue<>();
    private volatile int inLanes;
    private boolean lanesFull;
    private final Map<TopicPartition, PartitionProgress> progress = new HashMap<>();
    private final ForwardTracker forwards;
    private final Map<TopicPartition, Integer> hookAttempts = new HashMap<>();
    private boolean anyPaused;
    private long nextCommitAt;

    private volatile boolean stopping;
    private volatile Throwable failure;

    StageReactor(Task<V> task, Stage stage, Consumer<byte[], byte[]> consumer, Forwarder forwarder,
                 Map<String, Integer> partitionCounts, Clock clock, RandomGenerator random, double timeScale,
                 Duration commitInterval, Duration shutdownTimeout, StageMeters meters) {
        this.task = task;
        this.spec = task.spec();
        this.plan = spec.plan();
        this.stage = stage;
        this.consumer = consumer;
        this.forwarder = forwarder;
        this.partitionCounts = partitionCounts;
        this.clock = clock;
        this.random = random;
        this.timeScale = timeScale;
        this.commitIntervalMs = commitInterval.toMillis();
        this.meters = meters;
        this.shutdownTimeout = shutdownTimeout;
        this.throttle = new DueTimeThrottle(clock);
        this.forwards = new ForwardTracker(forwarder, clock, stage, meters);
        int concurrency = stage.kind() == Stage.Kind.DEAD_LETTER ? 1 : spec.concurrency();
        this.lanes = concurrency > 1 ? new KeyOrderedExecutor(concurrency, "flux-" + stage.group()) : null;
        this.maxInLanes = Math.max(1_000, 50 * concurrency);
        meters.inFlight(() -> inLanes);
    }

    Stage stage() {
        return stage;
    }

    /** Asks the reactor to stop: it finishes the record in hand, commits and closes its consumer. */
    void stop() {
        stopping = true;
        consumer.wakeup();
    }

    /** The error that stopped the reactor, or null. */
    Throwable failure() {
        return failure;
    }

    @Override
    public void run() {
        try {
            consumer.subscribe(List.of(stage.topic()), new Rebalance());
            nextCommitAt = clock.millis() + commitIntervalMs;
            while (!stopping) {
                housekeeping();
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(pollWait()));
                if (!records.isEmpty()) {
                    dispatch(records);
                }
            }
        } catch (WakeupException | InterruptException e) {
            if (!stopping) {
                failure = e;
                log.error("{} of {} was interrupted", stage, task, e);
            }
        } catch (Throwable e) {
            failure = e;
            log.error("{} of {} stopped by an unexpected error", stage, task, e);
        } finally {
            finish();
        }
    }

    private void housekeeping() {
        drainLaneOutcomes();
        forwards.drain(progress);
        forwards.resendDue();
        throttle.releaseDue();
        reconcilePauses();
        long now = clock.millis();
        if (now >= nextCommitAt) {
            commitAsync();
            nextCommitAt = now + commitIntervalMs;
        }
    }

    private long pollWait() {
        long wait = Math.min(MAX_POLL_WAIT_MS, Math.max(0, nextCommitAt - clock.millis()));
        wait = throttle.millisUntilNextRelease(wait);
        wait = forwards.millisUntilNextResend(wait);
        if (inLanes > 0 || forwards.inFlight() > 0) {
            wait = Math.min(wait, 5); // lanes and forwards report through queues: look at them often
        }
        return wait;
    }

    private void dispatch(ConsumerRecords<byte[], byte[]> records) {
        for (TopicPartition partition : records.partitions()) {
            PartitionProgress partitionProgress = progress.get(partition);
            if (partitionProgress == null || throttle.isHeld(partition)) {
                continue; // revoked meanwhile, or fetched before it was held: read again later
            }
            for (ConsumerRecord<byte[], byte[]> record : records.records(partition)) {
                if (!handle(partition, partitionProgress, record) || stopping) {
                    break;
                }
            }
            if (stopping) {
                return; // undispatched records stay uncommitted and are read again after a restart
            }
        }
    }

    /** Handles one record; false when its partition is now held and the rest must wait. */
    private boolean handle(TopicPartition partition, PartitionProgress partitionProgress, ConsumerRecord<byte[], byte[]> record) {
        if (stage.kind() != Stage.Kind.MAIN) {
            long due = RetryHeaders.dueAt(record.headers());
            if (due != RetryHeaders.NO_DUE_TIME && !throttle.isDue(due)) {
                hold(partition, record.offset(), due);
                return false;
            }
        }
        if (lanes != null) {
            toLane(partition, partitionProgress, record);
            return true;
        }
        V value;
        try {
            value = spec.deserializer().deserialize(record.topic(), record.headers(), record.value());
        } catch (RuntimeException e) {
            if (stage.kind() != Stage.Kind.DEAD_LETTER) {
                meters.poisonPill();
                forward(partition, partitionProgress, record, plan.deadLetterStage(), poisonPill(record, e));
                return true;
            }
            value = null; // the dead-letter hook still gets the record, with its raw bytes
        }
        Message<V> message = new Message<>(record, value, stage.number());
        if (stage.kind() == Stage.Kind.DEAD_LETTER) {
            return deadLetter(partition, partitionProgress, message);
        }
        try {
            task.call(message);
            partitionProgress.handled(record.offset());
            meters.handled();
        } catch (Throwable e) {
            rethrowIfFatalToTheJvm(e);
            meters.failed();
            int target = spec.isFatal(e) ? plan.deadLetterStage() : stage.number() + 1;
            forward(partition, partitionProgress, record, target, e);
        }
        return true;
    }

    private SerializationException poisonPill(ConsumerRecord<byte[], byte[]> record, RuntimeException cause) {
        return new SerializationException("The value of " + record.topic() + "-" + record.partition() + "@" + record.offset()
                + " cannot be deserialized with " + spec.deserializer().getClass().getName() + ": " + cause, cause);
    }

    /** Runs the record after the earlier records of its key; the outcome comes back through {@link #laneOutcomes}. */
    private void toLane(TopicPartition partition, PartitionProgress partitionProgress, ConsumerRecord<byte[], byte[]> record) {
        PartitionProgress.Pending pending = partitionProgress.started(record.offset());
        inLanes++;
        if (inLanes >= maxInLanes) {
            lanesFull = true;
        }
        lanes.submit(record.key(), () -> {
            Throwable error = null;
            boolean poison = false;
            try {
                V value;
                try {
                    value = spec.deserializer().deserialize(record.topic(), record.headers(), record.value());
                } catch (RuntimeException e) {
                    poison = true;
                    throw poisonPill(record, e);
                }
                task.call(new Message<>(record, value, stage.number()));
            } catch (Throwable e) {
                error = e;
            }
            laneOutcomes.add(new LaneOutcome(partition, partitionProgress, pending, record, error, poison));
        });
    }

    private void drainLaneOutcomes() {
        LaneOutcome outcome;
        while ((outcome = laneOutcomes.poll()) != null) {
            inLanes--;
            if (progress.get(outcome.source()) != outcome.progress()) {
                continue; // revoked meanwhile: the next owner reads the record again
            }
            Throwable error = outcome.error();
            if (error == null) {
                outcome.progress().complete(outcome.pending());
                meters.handled();
                continue;
            }
            rethrowIfFatalToTheJvm(error);
            int target;
            if (outcome.poison()) {
                meters.poisonPill();
                target = plan.deadLetterStage();
            } else {
                meters.failed();
                target = spec.isFatal(error) ? plan.deadLetterStage() : stage.number() + 1;
            }
            sendForward(outcome.source(), outcome.progress(), outcome.pending(), outcome.record(), target, error);
        }
        if (lanesFull && inLanes < maxInLanes / 2) {
            lanesFull = false;
        }
    }

    private boolean deadLetter(TopicPartition partition, PartitionProgress partitionProgress, Message<V> message) {
        try {
            task.deadLetter(message);
            partitionProgress.handled(message.offset());
            hookAttempts.remove(partition);
            meters.deadLettered();
            return true;
        } catch (Throwable e) {
            rethrowIfFatalToTheJvm(e);
            int attempt = hookAttempts.merge(partition, 1, Integer::sum);
            long delay = Math.max(10, Math.round(Math.min(MAX_HOOK_RETRY_MS,
                    FIRST_HOOK_RETRY_MS * (1L << Math.min(attempt - 1, 16))) * timeScale));
            log.error("The dead-letter hook of {} failed for {} (attempt {}); trying again in {} ms; the record is kept",
                    task, message, attempt, delay, e);
            hold(partition, message.offset(), clock.millis() + delay);
            return false;
        }
    }

    private void forward(TopicPartition partition, PartitionProgress partitionProgress,
                         ConsumerRecord<byte[], byte[]> record, int target, Throwable error) {
        sendForward(partition, partitionProgress, partitionProgress.started(record.offset()), record, target, error);
    }

    /** Forwards a record whose completion {@code pending} stands for; it completes when the forward is acknowledged. */
    private void sendForward(TopicPartition partition, PartitionProgress partitionProgress, PartitionProgress.Pending pending,
                             ConsumerRecord<byte[], byte[]> record, int target, Throwable error) {
        long now = clock.millis();
        Stage next = plan.stage(target);
        long due = next.kind() == Stage.Kind.RETRY
                ? now + Math.round(spec.backoff().delayBefore(target, random).toMillis() * timeScale)
                : now;
        Integer samePartition = record.partition() < partitionCounts.getOrDefault(next.topic(), 0) ? record.partition() : null;
        ProducerRecord<byte[], byte[]> forwarded = new ProducerRecord<>(next.topic(), samePartition, null,
                record.key(), record.value(), RetryHeaders.forward(record, stage.number(), target, now, due, error));
        if (log.isDebugEnabled()) {
            log.debug("stage {}: {}-{}@{} failed ({}), forwarding to stage {}, due in {} ms", stage.number(), record.topic(),
                    record.partition(), record.offset(), error.toString(), target, due - now);
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
        boolean overloaded = forwards.overloaded() || lanesFull;
        boolean backlogged = lanes != null && anyBacklog();
        if (!anyPaused && !overloaded && !backlogged && forwards.failingPartitions().isEmpty() && throttle.held().isEmpty()) {
            return; // the common case, on every loop: nothing to pause, nothing paused
        }
        Set<TopicPartition> assignment = consumer.assignment();
        Set<TopicPartition> wanted = new HashSet<>(overloaded ? assignment : throttle.held());
        if (overloaded) {
            wanted.addAll(throttle.held());
        }
        wanted.addAll(forwards.failingPartitions());
        if (backlogged) {
            progress.forEach((partition, partitionProgress) -> {
                if (partitionProgress.inFlight() >= maxInLanes) {
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
            if (partitionProgress.inFlight() >= maxInLanes) {
                return true;
            }
        }
        return false;
    }

    private Map<TopicPartition, OffsetAndMetadata> committable(Collection<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition partition : partitions) {
            PartitionProgress partitionProgress = progress.get(partition);
            if (partitionProgress != null && partitionProgress.needsCommit()) {
                long offset = partitionProgress.committable();
                offsets.put(partition, new OffsetAndMetadata(offset));
                partitionProgress.committed(offset);
            }
        }
        return offsets;
    }

    private void commitAsync() {
        Map<TopicPartition, OffsetAndMetadata> offsets = committable(progress.keySet());
        if (offsets.isEmpty()) {
            return;
        }
        consumer.commitAsync(offsets, (committed, error) -> {
            if (error != null) {
                log.warn("{}: asynchronous commit failed, will commit again: {}", stage, error.toString());
                committed.keySet().forEach(tp -> {
                    PartitionProgress partitionProgress = progress.get(tp);
                    if (partitionProgress != null) {
                        partitionProgress.commitFailed();
                    }
                });
            }
        });
    }

    private void commitSync(Collection<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> offsets = committable(partitions);
        if (offsets.isEmpty()) {
            return;
        }
        try {
            consumer.commitSync(offsets);
        } catch (WakeupException e) {
            consumer.commitSync(offsets); // the wakeup meant for poll: commit anyway
        } catch (RuntimeException e) {
            log.warn("{}: commit of {} failed: {}; those records will be read again", stage, offsets, e.toString());
        }
    }

    /** Flushes forwards, commits what is complete and closes the consumer. */
    private void finish() {
        try {
            awaitLanes();
            forwarder.flush();
            forwards.drain(progress);
            commitSync(new ArrayList<>(progress.keySet()));
        } catch (RuntimeException e) {
            log.warn("{}: final commit failed: {}", stage, e.toString());
        } finally {
            if (lanes != null) {
                try {
                    lanes.shutdown(Duration.ofSeconds(1));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            try {
                consumer.close(Duration.ofSeconds(10));
            } catch (RuntimeException e) {
                log.warn("{}: closing the consumer failed: {}", stage, e.toString());
            }
            meters.close();
            log.info("{} of {} stopped", stage, task.getClass().getSimpleName());
        }
    }

    /** Waits (up to the shutdown timeout) until every record in the lanes finished, forwarding failures. */
    private void awaitLanes() {
        long deadline = System.nanoTime() + shutdownTimeout.toNanos();
        while (inLanes > 0 && System.nanoTime() < deadline) {
            drainLaneOutcomes();
            if (inLanes > 0) {
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        if (inLanes > 0) {
            log.warn("{}: {} record(s) still running after {}; they are not committed and will be read again",
                    stage, inLanes, shutdownTimeout);
        }
    }

    private void forget(Collection<TopicPartition> partitions) {
        for (TopicPartition partition : partitions) {
            progress.remove(partition);
            hookAttempts.remove(partition);
        }
        throttle.drop(partitions);
        forwards.forget(partitions);
    }

    private static void rethrowIfFatalToTheJvm(Throwable e) {
        if (e instanceof VirtualMachineError error) {
            throw error;
        }
    }

    /** Runs on this reactor's thread, inside poll. */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            awaitLanes();
            forwarder.flush();
            forwards.drain(progress);
            commitSync(partitions);
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
            log.info("{}: assigned partitions {}", stage, numbers(consumer.assignment()));
        }

        private TreeSet<Integer> numbers(Collection<TopicPartition> partitions) {
            TreeSet<Integer> numbers = new TreeSet<>();
            partitions.forEach(tp -> numbers.add(tp.partition()));
            return numbers;
        }
    }
}
